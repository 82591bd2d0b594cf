/* common/mapfile.c: read-only private mappings of whole files, for the
 * zero-copy sources (reader mmap source, validator). */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

hdump_status hdi_map_file(const char *path, const uint8_t **data, size_t *len) {
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return HDUMP_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return HDUMP_ERR_IO;
    }
    size_t n = (size_t)st.st_size;
    if (n > 0) {
        void *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            close(fd);
            return HDUMP_ERR_IO;
        }
        *data = map;
    }
    close(fd);
    *len = n;
    return HDUMP_OK;
}

void hdi_unmap_file(const uint8_t *data, size_t len) {
    if (data != NULL) munmap((void *)(uintptr_t)data, len);
}
