$HDUMP cat $TMP/trunc.dump
