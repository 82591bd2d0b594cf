$HDUMP roundtrip --profile huge
