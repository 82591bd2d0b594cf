$HDUMP roundtrip --objects 2000 --profile large --via threads --flip 5000000
