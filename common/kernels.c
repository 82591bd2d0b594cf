/* common/kernels.c: the kernel registry and the pick made at handle creation. */
#include "kernels.h"

#include <string.h>

const hdi_varint_kernel *const hdi_varint_kernels[] = {&hdi_varint_scalar, NULL};

hdump_status hdi_varint_pick(const char *name, const hdi_varint_kernel **out) {
    for (size_t i = 0; hdi_varint_kernels[i] != NULL; i++) {
        const hdi_varint_kernel *k = hdi_varint_kernels[i];
        if (name != NULL && strcmp(name, k->name) != 0) continue;
        if (!k->supported()) return HDUMP_ERR_UNSUPPORTED;
        *out = k;
        return HDUMP_OK;
    }
    return HDUMP_ERR_UNSUPPORTED;
}
