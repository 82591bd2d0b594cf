$HDUMP roundtrip --objects 2000 --profile mixed
