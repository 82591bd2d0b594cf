/* common/cpu.c: CPUID/XGETBV feature probe (see cpu.h). */
#include "cpu.h"

#include <stdatomic.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>

/* XGETBV(0) by opcode, so this file needs no -mxsave. */
static uint64_t xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static unsigned probe(void) {
    unsigned a, b, c, d, f = 0;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return 0;
    unsigned max_leaf = a;
    /* "AuthenticAMD" / "HygonGenuine": pdep/pext are microcoded before Zen 3
     * (family 0x19); Hygon Dhyana is a Zen 1 (family 0x18). */
    int amd = (b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u) ||
              (b == 0x6f677948u && d == 0x6e65476eu && c == 0x656e6975u);
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    unsigned family = (a >> 8) & 0xf;
    if (family == 0xf) family += (a >> 20) & 0xff;
    if ((c >> 23) & 1) f |= HDI_CPU_POPCNT;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    int os_ymm = (xcr0 & 0x6) == 0x6;            /* XMM | YMM */
    int os_zmm = os_ymm && (xcr0 & 0xe0) == 0xe0; /* opmask | ZMM_Hi256 | Hi16_ZMM */
    if (max_leaf < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    if ((b >> 8) & 1) {
        f |= HDI_CPU_BMI2;
        if (!(amd && family < 0x19)) f |= HDI_CPU_BMI2_FAST;
    }
    if (avx && os_ymm && ((b >> 5) & 1)) f |= HDI_CPU_AVX2;
    if (os_zmm && ((b >> 16) & 1)) {
        f |= HDI_CPU_AVX512F;
        if ((b >> 28) & 1) f |= HDI_CPU_AVX512CD;
        if ((b >> 30) & 1) f |= HDI_CPU_AVX512BW;
        if ((c >> 1) & 1) f |= HDI_CPU_AVX512VBMI;
        if ((c >> 6) & 1) f |= HDI_CPU_AVX512VBMI2;
    }
    return f;
}
#else
static unsigned probe(void) { return 0; }
#endif

/* MemorySanitizer cannot follow bytes through the SIMD kernels' intrinsics
 * (pdep, masked and compress stores): it would report the kernels' output as
 * uninitialized. An MSan build (OSS-Fuzz's `memory` sanitizer) therefore sees
 * a CPU without extensions and uses the scalar kernel; forcing another one
 * by name is HDUMP_ERR_UNSUPPORTED there. */
#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define HDI_CPU_MSAN 1
#endif
#endif

static atomic_uint hdi_cpu_cache;

unsigned hdi_cpu_features(void) {
    unsigned f = atomic_load_explicit(&hdi_cpu_cache, memory_order_relaxed);
    if (f & HDI_CPU_DETECTED) return f & ~(unsigned)HDI_CPU_DETECTED;
#ifdef HDI_CPU_MSAN
    f = 0;
#else
    f = probe();
#endif
    atomic_store_explicit(&hdi_cpu_cache, f | HDI_CPU_DETECTED, memory_order_relaxed);
    return f;
}
