$HDUMP validate $CORPUS/sample_go1.19.8_as_go1.6.dump
