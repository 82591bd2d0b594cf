$HDUMP help gen
