$HDUMP salvage - $TMP/out.dump
