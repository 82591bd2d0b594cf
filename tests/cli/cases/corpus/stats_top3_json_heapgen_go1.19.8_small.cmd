$HDUMP stats --json --top 3 $CORPUS/heapgen_go1.19.8_small.dump
