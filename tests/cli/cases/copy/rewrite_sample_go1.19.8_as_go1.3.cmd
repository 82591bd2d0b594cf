$HDUMP rewrite $CORPUS/sample_go1.19.8_as_go1.3.dump $TMP/out.dump
