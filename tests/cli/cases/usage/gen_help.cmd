$HDUMP gen --help
