$HDUMP validate $TMP/no-such-file.dump
