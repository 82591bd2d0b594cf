$HDUMP salvage $TMP/x $TMP/out.dump
