#!/bin/bash -eu
"$SRC/hdump/fuzz/oss-fuzz/build.sh"
