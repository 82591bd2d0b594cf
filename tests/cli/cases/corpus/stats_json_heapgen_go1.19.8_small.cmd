$HDUMP stats --json $CORPUS/heapgen_go1.19.8_small.dump
