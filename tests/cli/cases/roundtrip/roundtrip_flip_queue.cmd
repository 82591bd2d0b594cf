$HDUMP roundtrip --objects 20000 --via queue --flip 1000000
