#!/bin/bash -eu
# For google/oss-fuzz projects/hdump/build.sh: all logic lives in the repo.
"$SRC/hdump/fuzz/oss-fuzz/build.sh"
