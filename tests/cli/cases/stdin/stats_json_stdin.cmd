$HDUMP stats --json -
