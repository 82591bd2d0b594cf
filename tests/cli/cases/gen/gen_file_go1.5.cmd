$HDUMP gen --objects 200 --seed 7 --format go1.5 -o $TMP/g.dump
