$HDUMP validate $TMP/hdr.dump
