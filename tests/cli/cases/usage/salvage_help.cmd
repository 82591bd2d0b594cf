$HDUMP salvage --help
