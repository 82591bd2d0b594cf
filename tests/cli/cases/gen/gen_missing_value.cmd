$HDUMP gen -o $TMP/g.dump --seed
