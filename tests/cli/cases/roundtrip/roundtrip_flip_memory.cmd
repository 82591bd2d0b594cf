$HDUMP roundtrip --objects 20000 --via memory --flip 1000000
