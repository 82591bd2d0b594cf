$HDUMP stats --json
