$HDUMP stats $CORPUS/sample_go1.19.8.dump
