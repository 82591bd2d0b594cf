$HDUMP rewrite $CORPUS/heapgen_go1.19.8_large.dump $TMP/out.dump
