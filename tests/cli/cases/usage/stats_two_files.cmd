$HDUMP stats $CORPUS/sample_go1.23.5.dump $CORPUS/sample_go1.19.8.dump
