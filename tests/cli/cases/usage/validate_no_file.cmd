$HDUMP validate
