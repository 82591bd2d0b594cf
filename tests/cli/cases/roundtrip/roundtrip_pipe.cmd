$HDUMP roundtrip --objects 2000 --via pipe
