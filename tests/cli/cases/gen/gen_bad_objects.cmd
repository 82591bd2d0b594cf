$HDUMP gen --objects 12x -o $TMP/g.dump
