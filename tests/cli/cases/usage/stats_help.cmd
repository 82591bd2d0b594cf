$HDUMP stats --help
