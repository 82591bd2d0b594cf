$HDUMP help frobnicate
