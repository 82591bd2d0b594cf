$HDUMP roundtrip --objects 3000 --format go1.3 --profile goroutines --via queue
