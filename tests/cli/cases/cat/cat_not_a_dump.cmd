$HDUMP cat $TMP/x
