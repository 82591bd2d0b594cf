$HDUMP roundtrip --objects 20000 --via queue --flip 16
