$HDUMP validate $TMP/extra.dump
