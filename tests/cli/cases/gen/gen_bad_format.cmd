$HDUMP gen --format go1.8 -o $TMP/g.dump
