$HDUMP salvage $TMP/trunc.dump $TMP/out.dump
