$HDUMP cat $TMP/nope
