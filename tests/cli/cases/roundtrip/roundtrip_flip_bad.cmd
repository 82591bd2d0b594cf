$HDUMP roundtrip --objects 2000 --flip x
