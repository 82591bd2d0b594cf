$HDUMP validate $TMP/v11.dump
