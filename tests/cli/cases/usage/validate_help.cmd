$HDUMP validate --help
