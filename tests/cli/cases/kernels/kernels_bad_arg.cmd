$HDUMP kernels --bogus
