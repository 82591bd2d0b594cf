$HDUMP salvage $CORPUS/sample_go1.19.8.dump $TMP/out.dump
