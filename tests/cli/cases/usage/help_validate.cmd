$HDUMP help validate
