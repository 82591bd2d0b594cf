$HDUMP stats $CORPUS/sample_go1.23.5.dump --top
