$HDUMP roundtrip --objects 20000 --profile large --via queue
