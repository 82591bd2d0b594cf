$HDUMP rewrite $TMP/trunc.dump $TMP/out.dump
