$HDUMP roundtrip --objects 2000 --profile large --via queue --flip 5000000
