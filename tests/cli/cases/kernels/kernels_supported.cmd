$HDUMP kernels --supported
