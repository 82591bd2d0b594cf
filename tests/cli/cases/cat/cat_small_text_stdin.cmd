$HDUMP cat -
