/* common/cpu.h: what this CPU and OS can run, for the kernel registry
 * (common/kernels.c). x86-64 only; on other hosts every flag is 0. */
#ifndef HDUMP_COMMON_CPU_H
#define HDUMP_COMMON_CPU_H

#include "internal.h"

/* Feature bits. Each AVX bit is set only when the OS also saves the register
 * state it needs (XGETBV: XMM+YMM for AVX2; + opmask, ZMM_Hi256, Hi16_ZMM for
 * AVX-512). */
#define HDI_CPU_BMI2 (1u << 0)      /* BMI2 present (pdep/pext may still be slow)    */
/* BMI2 present and pdep/pext are not microcoded: clear on AMD families before
 * 0x19 (Zen 1/2 are 0x17, Hygon 0x18: ~18-290 cycles per pdep/pext). */
#define HDI_CPU_BMI2_FAST (1u << 1)
#define HDI_CPU_AVX2 (1u << 2)
#define HDI_CPU_AVX512F (1u << 3)
#define HDI_CPU_AVX512BW (1u << 4)
#define HDI_CPU_AVX512VBMI (1u << 5)
#define HDI_CPU_AVX512VBMI2 (1u << 6)
#define HDI_CPU_POPCNT (1u << 7)
#define HDI_CPU_AVX512CD (1u << 8)
#define HDI_CPU_DETECTED (1u << 31) /* internal: the probe has run */

/* The HDI_CPU_* bits of this CPU. The probe (CPUID, XGETBV) runs once; the
 * result is a fact about the machine, cached with a relaxed atomic store that
 * every racing thread makes with the same value. */
HDI_HIDDEN unsigned hdi_cpu_features(void);

#endif /* HDUMP_COMMON_CPU_H */
