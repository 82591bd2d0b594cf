$HDUMP cat --help
