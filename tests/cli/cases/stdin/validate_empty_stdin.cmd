$HDUMP validate -
