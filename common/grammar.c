/* common/grammar.c: the per-version record tables (docs/format.md §4). */
#include "grammar.h"

#include <stddef.h>

#include "hdump/record.h"

#define U(f) {HDI_OP_U, 0, (uint16_t)offsetof(hdump_record, u.f)}
#define S(f, w) {HDI_OP_S, (w), (uint16_t)offsetof(hdump_record, u.f)}
#define F(f) {HDI_OP_F, 0, (uint16_t)offsetof(hdump_record, u.f)}
#define END {HDI_OP_END, 0, 0}

static const hdi_op g_eof[] = {END};

/* tag 1 object: go1.3 (addr, type addr, kind, contents); go1.4+ (addr, contents, fields). */
static const hdi_op g_object13[] = {U(object.addr), U(object.type_addr), U(object.kind),
                                    S(object.contents, 0), END};
static const hdi_op g_object[] = {U(object.addr), S(object.contents, 0), F(object.fields), END};

/* tag 2 otherroot: (description, pointer). */
static const hdi_op g_otherroot[] = {S(otherroot.description, 0), U(otherroot.ptr), END};

/* tag 3 type: (addr, size, name, indirect bool); go1.3 adds a field list. */
static const hdi_op g_type13[] = {U(type.addr), U(type.size), S(type.name, 0), U(type.indirect),
                                  F(type.fields), END};
static const hdi_op g_type[] = {U(type.addr), U(type.size), S(type.name, 0), U(type.indirect),
                                END};

/* tag 4 goroutine: 13 fields, unchanged from go1.3 to go1.7. */
static const hdi_op g_goroutine[] = {
    U(goroutine.addr),       U(goroutine.sp),        U(goroutine.goid),
    U(goroutine.gopc),       U(goroutine.status),    U(goroutine.is_system),
    U(goroutine.is_background), U(goroutine.wait_since), S(goroutine.wait_reason, 0),
    U(goroutine.ctxt),       U(goroutine.m),         U(goroutine.top_defer),
    U(goroutine.top_panic),  END};

/* tag 5 stack frame, unchanged. */
static const hdi_op g_frame[] = {U(frame.sp),       U(frame.depth),    U(frame.child_sp),
                                 S(frame.contents, 0), U(frame.entry_pc), U(frame.pc),
                                 U(frame.cont_pc),  S(frame.name, 1),  F(frame.fields),
                                 END};

/* tag 6 params: go1.3 has the channel header size; go1.3..1.6 write the arch as a
 * uvarint thechar, go1.7 as the GOARCH string (docs/format.md §2.1). */
static const hdi_op g_params13[] = {
    U(params.big_endian), U(params.ptr_size), U(params.chan_header_size), U(params.heap_start),
    U(params.heap_end),   U(params.arch_char), S(params.experiment, 1), U(params.ncpu), END};
static const hdi_op g_params14[] = {U(params.big_endian), U(params.ptr_size),
                                    U(params.heap_start), U(params.heap_end),
                                    U(params.arch_char),  S(params.experiment, 1),
                                    U(params.ncpu),       END};
static const hdi_op g_params17[] = {U(params.big_endian), U(params.ptr_size),
                                    U(params.heap_start), U(params.heap_end),
                                    S(params.arch, 0),    S(params.experiment, 1),
                                    U(params.ncpu),       END};

/* tags 7 and 11: finalizer and queued finalizer, 5 uvarints. */
static const hdi_op g_finalizer[] = {U(finalizer.obj), U(finalizer.fn), U(finalizer.fn_pc),
                                     U(finalizer.fint), U(finalizer.ot), END};

/* tag 8 itab: go1.3 (addr, data-is-ptr bool); go1.4+ (addr, type addr). */
static const hdi_op g_itab13[] = {U(itab.addr), U(itab.data_is_ptr), END};
static const hdi_op g_itab[] = {U(itab.addr), U(itab.type_addr), END};

/* tag 9 OS thread. */
static const hdi_op g_osthread[] = {U(osthread.addr), U(osthread.id), U(osthread.procid), END};

/* tag 10 memstats: 281 uvarints. */
static const hdi_op g_memstats[] = {{HDI_OP_MEMSTATS, 0, (uint16_t)offsetof(hdump_record, u.memstats)},
                                    END};

/* tags 12 and 13: data and bss segments. */
static const hdi_op g_segment[] = {U(segment.addr), S(segment.contents, 0), F(segment.fields), END};

/* tag 14 defer: 7 uvarints. */
static const hdi_op g_defer[] = {U(defer.addr), U(defer.g),     U(defer.argp), U(defer.pc),
                                 U(defer.fn),   U(defer.fn_pc), U(defer.link), END};

/* tag 15 panic: 6 uvarints. */
static const hdi_op g_panic[] = {U(panic.addr),     U(panic.g),     U(panic.arg_type),
                                 U(panic.arg_data), U(panic.defer), U(panic.link), END};

/* tag 16 memprof: bucket, size, stack, allocs, frees. */
static const hdi_op g_memprof[] = {U(memprof.bucket),
                                   U(memprof.size),
                                   {HDI_OP_STACK, 0, (uint16_t)offsetof(hdump_record, u.memprof)},
                                   U(memprof.allocs),
                                   U(memprof.frees),
                                   END};

/* tag 17 alloc sample. */
static const hdi_op g_allocsample[] = {U(allocsample.addr), U(allocsample.bucket), END};

#define COMMON_TAIL                                                                        \
    g_goroutine, g_frame, NULL /* params */, g_finalizer, NULL /* itab */, g_osthread,    \
        g_memstats, g_finalizer, g_segment, g_segment, g_defer, g_panic, g_memprof,      \
        g_allocsample

static const hdi_op *const t13[HDUMP_TAG_COUNT] = {g_eof, g_object13, g_otherroot, g_type13,
                                                   COMMON_TAIL};
static const hdi_op *const t14[HDUMP_TAG_COUNT] = {g_eof, g_object, g_otherroot, g_type,
                                                   COMMON_TAIL};

const hdi_op *hdi_grammar(int v, uint64_t tag) {
    if (tag >= HDUMP_TAG_COUNT || v < HDUMP_GO1_3 || v > HDUMP_GO1_7) return NULL;
    if (tag == HDUMP_TAG_PARAMS)
        return v == HDUMP_GO1_3 ? g_params13 : v == HDUMP_GO1_7 ? g_params17 : g_params14;
    if (tag == HDUMP_TAG_ITAB) return v == HDUMP_GO1_3 ? g_itab13 : g_itab;
    return (v == HDUMP_GO1_3 ? t13 : t14)[tag];
}
