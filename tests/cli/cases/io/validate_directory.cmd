$HDUMP validate $TMP
