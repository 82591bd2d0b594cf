$HDUMP rewrite $CORPUS/sample_go1.23.5.dump $TMP/out.dump
