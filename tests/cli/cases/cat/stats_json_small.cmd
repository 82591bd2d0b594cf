$HDUMP stats --json $TMP/small.dump
