$HDUMP help cat
