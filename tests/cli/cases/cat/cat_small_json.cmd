$HDUMP cat --json $TMP/small.dump
