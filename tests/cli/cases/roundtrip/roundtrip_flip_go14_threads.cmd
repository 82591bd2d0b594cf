$HDUMP roundtrip --objects 5000 --format go1.4 --via threads --flip 300000
