$HDUMP cat --json -
