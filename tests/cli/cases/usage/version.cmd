$HDUMP --version
