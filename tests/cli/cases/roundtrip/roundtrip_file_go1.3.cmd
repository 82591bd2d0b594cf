$HDUMP roundtrip --objects 2000 --format go1.3 --via $TMP/rt.dump
