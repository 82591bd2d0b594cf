$HDUMP roundtrip --objects 2000 --via queue --flip 100000000
