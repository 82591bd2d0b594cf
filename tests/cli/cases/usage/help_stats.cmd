$HDUMP help stats
