/* Uses the installed library: write a dump to memory and read it back. */
#include <stdio.h>

#include <hdump/hdump.h>

int main(void) {
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    hdump_writer *w;
    if (hdump_writer_new(NULL, hdump_sink_membuf(&m), &w) != HDUMP_OK) return 1;
    hdump_writer_put_object(w, 0xc000000000, "12345678", 8, NULL);
    if (hdump_writer_finish(w) != HDUMP_OK) return 1;
    hdump_writer_free(w);
    hdump_reader *r;
    hdump_record rec;
    int n = 0;
    if (hdump_reader_new_mem(NULL, m.data, m.len, &r) != HDUMP_OK) return 1;
    while (hdump_reader_next(r, &rec) == HDUMP_OK) n++;
    hdump_reader_free(r);
    hdump_membuf_free(&m);
    printf("%s: %d record(s) before EOF\n", HDUMP_VERSION_STRING, n);
    return n == 1 ? 0 : 1;
}
