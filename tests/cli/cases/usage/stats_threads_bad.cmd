$HDUMP stats --threads 0 $CORPUS/sample_go1.23.5.dump
