$HDUMP --help
