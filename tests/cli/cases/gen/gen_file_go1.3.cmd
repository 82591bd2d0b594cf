$HDUMP gen --objects 200 --seed 7 --format go1.3 -o $TMP/g.dump
