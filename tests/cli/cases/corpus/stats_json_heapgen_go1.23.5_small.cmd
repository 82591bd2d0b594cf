$HDUMP stats --json $CORPUS/heapgen_go1.23.5_small.dump
