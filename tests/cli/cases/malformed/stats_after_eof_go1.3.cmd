$HDUMP stats $TMP/extra.dump
