$HDUMP validate $CORPUS/heapgen_go1.23.5_large.dump
