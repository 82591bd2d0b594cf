$HDUMP gen --objcts 5
