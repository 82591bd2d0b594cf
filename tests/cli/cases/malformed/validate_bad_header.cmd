$HDUMP validate $TMP/badhdr.dump
