$HDUMP roundtrip --objects 100000 --via /dev/full
