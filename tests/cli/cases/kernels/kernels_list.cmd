$HDUMP kernels
