$HDUMP cat --json
