$HDUMP rewrite --help
