$HDUMP cat $TMP/g.dump
