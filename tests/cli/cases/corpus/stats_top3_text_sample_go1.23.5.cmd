$HDUMP stats --top 3 $CORPUS/sample_go1.23.5.dump
