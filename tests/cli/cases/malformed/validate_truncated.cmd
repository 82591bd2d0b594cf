$HDUMP validate $TMP/trunc.dump
