$HDUMP gen --objects 200 --seed 7 --format go1.6 -o $TMP/g.dump
