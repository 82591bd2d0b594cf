$HDUMP stats
