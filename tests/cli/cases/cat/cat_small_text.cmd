$HDUMP cat $TMP/small.dump
