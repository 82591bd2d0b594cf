$HDUMP validate $TMP/overlong.dump
