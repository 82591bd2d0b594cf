$HDUMP help
