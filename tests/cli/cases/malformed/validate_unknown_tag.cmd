$HDUMP validate $TMP/tag.dump
