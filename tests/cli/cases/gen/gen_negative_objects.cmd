$HDUMP gen --objects -5 -o $TMP/g.dump
