$HDUMP stats --json $TMP/trunc.dump
