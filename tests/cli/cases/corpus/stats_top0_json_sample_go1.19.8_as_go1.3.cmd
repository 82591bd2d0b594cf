$HDUMP stats --top 0 --json $CORPUS/sample_go1.19.8_as_go1.3.dump
