$HDUMP -h
