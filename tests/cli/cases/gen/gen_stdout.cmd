$HDUMP gen --objects 20 -o -
