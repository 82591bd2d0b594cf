$HDUMP gen --profile huge -o $TMP/g.dump
