$HDUMP roundtrip --objects 10 --via $TMP/no/such/dir
