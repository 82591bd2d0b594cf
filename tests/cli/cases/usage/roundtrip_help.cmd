$HDUMP roundtrip --help
