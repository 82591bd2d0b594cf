$HDUMP stats --json $CORPUS/sample_go1.19.8_as_go1.4.dump
