$HDUMP roundtrip --objects 20000 --via threads --flip 16
