$HDUMP cat --hex $TMP/x
