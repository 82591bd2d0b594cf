$HDUMP validate --strict $TMP/overlong.dump
