$HDUMP cat --json --bytes $TMP/small.dump
