$HDUMP rewrite - $TMP/out.dump
