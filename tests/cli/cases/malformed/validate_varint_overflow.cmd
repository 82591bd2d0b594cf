$HDUMP validate $TMP/v10.dump
