// Compiles the umbrella header as C++17 and calls into the library.
#include <cstdio>

#include "hdump/hdump.h"

int main() {
    hdump_membuf m;
    hdump_membuf_init(&m, nullptr);
    hdump_writer *w = nullptr;
    if (hdump_writer_new(nullptr, hdump_sink_membuf(&m), &w) != HDUMP_OK) return 1;
    if (hdump_writer_finish(w) != HDUMP_OK) return 1;
    hdump_writer_free(w);
    int ok = m.len == 17;
    hdump_membuf_free(&m);
    std::printf("%d passed, %d failed\n", ok, !ok);
    return ok ? 0 : 1;
}
