$HDUMP stats --top x $CORPUS/sample_go1.23.5.dump
