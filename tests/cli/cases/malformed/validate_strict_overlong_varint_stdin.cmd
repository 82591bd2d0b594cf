$HDUMP validate --strict -
