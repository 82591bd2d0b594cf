$HDUMP roundtrip --objects 20000 --via pipe --flip 1000000
