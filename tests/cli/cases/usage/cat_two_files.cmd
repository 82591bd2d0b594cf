$HDUMP cat a b
