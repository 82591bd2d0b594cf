$HDUMP gen --objects 20 -o $TMP/g.dump
