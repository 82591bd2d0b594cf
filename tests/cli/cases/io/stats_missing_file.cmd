$HDUMP stats $CORPUS/no-such-file.dump
