$HDUMP validate $TMP/text.dump
