$HDUMP kernels --help
