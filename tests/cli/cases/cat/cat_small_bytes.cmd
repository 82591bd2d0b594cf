$HDUMP cat --bytes $TMP/small.dump
