$HDUMP help kernels
