$HDUMP help roundtrip
