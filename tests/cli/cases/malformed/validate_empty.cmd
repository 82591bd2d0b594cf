$HDUMP validate $TMP/empty.dump
