/* tests/unit/test_errors.c: every reader error path, pinned yyjson style.
 *
 * Each case is a hand-built byte array (16-byte header + records) with a
 * caret comment under the offending byte. Every case runs through four
 * readers that must agree exactly on the final status and on the error's
 * code, offset, record_index and tag:
 *   - the memory reader (hdump_reader_new_mem, zero-copy);
 *   - a callback source that returns ONE byte per read, size unknown
 *     (UINT64_MAX), opts.buffer_size = 32 (compaction and growth);
 *   - the same with the default buffer size;
 *   - the same one-byte source with buffer_size = 32 and the size known.
 * The rules (include/hdump/errors.h): truncation is reported at the input's
 * size; every other error at the first byte of the offending item;
 * record_index counts records from 0 (the header is not one); tag is the
 * tag of the record being decoded, UINT64_MAX when the tag itself was
 * unreadable or unknown. Errors are sticky.
 *
 * Offsets in the comments are stream offsets: the header is bytes 0..15, so
 * the first record's tag is at 16. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdump/hdump.h"
#include "t.h"

#define NONE UINT64_MAX
#define HDR(c) 'g', 'o', '1', '.', (c), ' ', 'h', 'e', 'a', 'p', ' ', 'd', 'u', 'm', 'p', '\n'

/* A complete go1.7 params record, 13 bytes (offsets 16..28 when first):
 *   06 | 00 bigendian | 08 ptrsize | 00 heap start | 00 heap end |
 *   05 "amd64" | 00 "" (buildVersion) | 01 ncpu */
#define PARAMS17 0x06, 0x00, 0x08, 0x00, 0x00, 0x05, 'a', 'm', 'd', '6', '4', 0x00, 0x01
#define FF9 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define X809 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80

/* ======================================================================
 * Inputs
 * ====================================================================== */

/* ---- HDUMP_ERR_TRUNCATED: offset = input size ---- */

static const uint8_t in_empty[1] = {0}; /* used with length 0 */

/* "go1.7 he" | (end)
 *             ^ 8 truncated inside the header */
static const uint8_t in_hdr_prefix[] = {'g', 'o', '1', '.', '7', ' ', 'h', 'e'};

/* "g" | (end)
 *      ^ 1 */
static const uint8_t in_hdr_prefix1[] = {'g'};

/* header | (end)
 *         ^ 16 no EOF record */
static const uint8_t in_hdr_only[] = {HDR('7')};

/* header | params (16..28) | (end)
 *                           ^ 29 no EOF record, record_index 1 */
static const uint8_t in_no_eof_after_params[] = {HDR('7'), PARAMS17};

/* header | 81 (end)
 *          ^ tag varint starts at 16, input ends at 17 */
static const uint8_t in_trunc_tag[] = {HDR('7'), 0x81};

/* header | 01 object | 80 80 (end)    addr varint unfinished
 *                                ^ 19 */
static const uint8_t in_trunc_addr[] = {HDR('7'), 0x01, 0x80, 0x80};

/* header | 01 | ff x9 (end)           a 9-byte unfinished addr
 *                     ^ 26 */
static const uint8_t in_trunc_addr9[] = {HDR('7'), 0x01, FF9};

/* header | 01 | 00 addr | 05 len | (end)
 *                                  ^ 19 the 5 bytes are missing */
static const uint8_t in_trunc_after_len[] = {HDR('7'), 0x01, 0x00, 0x05};

/* header | 01 | 00 | 05 | 'a' 'b' (end)
 *                                  ^ 21 inside the byte range */
static const uint8_t in_trunc_in_range[] = {HDR('7'), 0x01, 0x00, 0x05, 'a', 'b'};

/* header | 01 | 00 | 00 contents "" | 01 kind Ptr | (end)
 *                                                   ^ 20 offset missing */
static const uint8_t in_trunc_field_off[] = {HDR('7'), 0x01, 0x00, 0x00, 0x01};

/* header | 01 | 00 | 00 | 01 00 (Ptr @0) | (end)
 *                                          ^ 21 no terminating kind 0 */
static const uint8_t in_trunc_field_eol[] = {HDR('7'), 0x01, 0x00, 0x00, 0x01, 0x00};

/* header | 0a memstats | 100 x 00 (end)   281 uvarints expected
 *                                    ^ 117 (built at run time) */
static uint8_t in_trunc_memstats[16 + 1 + 100];

/* header | 10 memprof | 01 bucket | 02 size | 02 nstk |
 *   frame 0: 01 'f' | 01 'g' | 03 line |
 *   frame 1: 01 'h' | (end)
 *                    ^ 27 file of frame 1 missing */
static const uint8_t in_trunc_memprof_stack[] = {HDR('7'), 0x10, 0x01, 0x02, 0x02,
                                                 0x01, 'f', 0x01, 'g', 0x03, 0x01, 'h'};

/* header | 10 | 01 | 02 | 01 nstk | 01 'f' | 01 'g' | 03 line | (end)
 *                                                              ^ 25 allocs missing */
static const uint8_t in_trunc_memprof_tail[] = {HDR('7'), 0x10, 0x01, 0x02, 0x01,
                                                0x01, 'f', 0x01, 'g', 0x03};

/* go1.3 header | 03 type | 01 addr | 08 size | 01 'T' | 01 indirect | 05 kind Eface | (end)
 *                                                                                    ^ 23 */
static const uint8_t in_trunc_go13_type_fields[] = {HDR('3'), 0x03, 0x01, 0x08, 0x01,
                                                    'T', 0x01, 0x05};

/* header | params | 01 object | 80 (end)   record_index 1
 *                                   ^ 31 */
static const uint8_t in_trunc_second_rec[] = {HDR('7'), PARAMS17, 0x01, 0x80};

/* ---- HDUMP_ERR_HEADER: offset 0 ---- */

/* "go1.8 heap dump\n"  (not a known version)
 *  ^ 0 */
static const uint8_t in_hdr_go18[] = {HDR('8'), 0x00};

/* "hello world 1234"
 *  ^ 0 */
static const uint8_t in_hdr_hello[] = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o',
                                       'r', 'l', 'd', ' ', '1', '2', '3', '4'};

/* "go1.7 heap dump\r" | 00   (last header byte wrong)
 *  ^ 0 */
static const uint8_t in_hdr_cr[] = {'g', 'o', '1', '.', '7', ' ', 'h', 'e',
                                    'a', 'p', ' ', 'd', 'u', 'm', 'p', '\r', 0x00};

/* "go1.9" (5 bytes: not a prefix of any header)
 *  ^ 0 */
static const uint8_t in_hdr_short_bad[] = {'g', 'o', '1', '.', '9'};

/* "xy"
 *  ^ 0 */
static const uint8_t in_hdr_xy[] = {'x', 'y'};

/* ---- HDUMP_ERR_VARINT: offset = first byte of the varint ---- */

/* header | ff x10 01  (11-byte tag)
 *          ^ 16 */
static const uint8_t in_var_tag11[] = {HDR('7'), FF9, 0xff, 0x01};

/* header | ff x9 02   (10th byte > 1)
 *          ^ 16 */
static const uint8_t in_var_tag_10th2[] = {HDR('7'), FF9, 0x02, 0x00};

/* header | 01 | ff x10 01  (11-byte object addr)
 *               ^ 17 */
static const uint8_t in_var_addr11[] = {HDR('7'), 0x01, FF9, 0xff, 0x01, 0x00, 0x00, 0x00};

/* header | 01 | 80 x9 02 | 00 00 00  (10-byte addr, 10th byte 0x02)
 *               ^ 17 */
static const uint8_t in_var_addr_10th2[] = {HDR('7'), 0x01, X809, 0x02, 0x00, 0x00, 0x00};

/* header | 01 | 80 x9 02 (end)  malformed 10th byte exactly at the end
 *               ^ 17 */
static const uint8_t in_var_addr_10th2_end[] = {HDR('7'), 0x01, X809, 0x02};

/* header | 01 | 80 x10 (end)  ten continuation bytes: malformed, not truncated
 *               ^ 17 */
static const uint8_t in_var_addr_10cont_end[] = {HDR('7'), 0x01, X809, 0x80};

/* header | 01 | 00 addr | ff x10 01 (11-byte contents length)
 *                         ^ 18 */
static const uint8_t in_var_len11[] = {HDR('7'), 0x01, 0x00, FF9, 0xff, 0x01, 0x00};

/* header | 01 | 00 | 00 | 01 | 80 x9 02  (field offset, 10th byte 0x02)
 *                              ^ 20 */
static const uint8_t in_var_field_off[] = {HDR('7'), 0x01, 0x00, 0x00, 0x01, X809, 0x02, 0x00};

/* header | 0a memstats | 280 x 00 | ff x10 01 (NumGC 11 bytes); built at run time
 *                                   ^ 297 */
static uint8_t in_var_memstats[16 + 1 + 280 + 11];

/* ---- HDUMP_ERR_TAG: offset = the tag's first byte, tag = the unknown value ---- */

/* header | 12 (18)
 *          ^ 16 */
static const uint8_t in_tag18[] = {HDR('7'), 0x12, 0x00};

/* header | 80 01 (128)
 *          ^ 16 */
static const uint8_t in_tag128[] = {HDR('7'), 0x80, 0x01, 0x00};

/* header | ff x9 01 (UINT64_MAX)
 *          ^ 16 */
static const uint8_t in_tag_huge[] = {HDR('7'), FF9, 0x01};

/* header | params | 13 (19)     record_index 1
 *                   ^ 29 */
static const uint8_t in_tag_second[] = {HDR('7'), PARAMS17, 0x13, 0x00};

/* go1.3 header | 12
 *                ^ 16 */
static const uint8_t in_tag18_go13[] = {HDR('3'), 0x12};

/* ---- HDUMP_ERR_FIELD_KIND: offset = the kind varint's first byte ---- */

/* header | 01 | 00 addr | 00 "" | 01 00 (Ptr @0) | 04 08 | 00
 *                                                  ^ 21 kind 4 undefined in go1.7 */
static const uint8_t in_kind4_go17[] = {HDR('7'), 0x01, 0x00, 0x00, 0x01, 0x00, 0x04, 0x08, 0x00,
                                        0x00};

/* header | 01 | 00 | 00 | 80 01 (kind 128) | 00 | 00
 *                         ^ 19 */
static const uint8_t in_kind128_go17[] = {HDR('7'), 0x01, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00};

/* go1.4 header | 0c data | 00 addr | 00 "" | 04 00 | 00
 *                                            ^ 19 kind 4 undefined in go1.4 */
static const uint8_t in_kind4_go14_data[] = {HDR('4'), 0x0c, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00};

/* go1.3 header | 03 type | 01 addr | 08 size | 01 'T' | 01 indirect | 06 00 | 00
 *                                                                     ^ 22 kind 6 */
static const uint8_t in_kind6_go13_type[] = {HDR('3'), 0x03, 0x01, 0x08, 0x01, 'T', 0x01,
                                             0x06, 0x00, 0x00, 0x00};

/* go1.3 header | 05 frame | 00 sp | 00 depth | 00 child | 00 contents | 00 entry |
 *   00 pc | 00 contpc | 00 name | 06 00 | 00
 *                                 ^ 25 kind 6 */
static const uint8_t in_kind6_go13_frame[] = {HDR('3'), 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
                                              0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00};

/* go1.5 header | 05 frame | 8 x 00 | 02 08 (Iface, allowed) | 04 10
 *                                                             ^ 27 kind 4 */
static const uint8_t in_kind4_go15_frame[] = {HDR('5'), 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
                                              0x00, 0x00, 0x00, 0x02, 0x08, 0x04, 0x10, 0x00};

/* Accepted: go1.4 object | 01 | 00 | 00 | 03 00 (Eface @0) | 00 | 00 EOF -> HDUMP_END */
static const uint8_t in_kind3_go14_ok[] = {HDR('4'), 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00};

/* Accepted: go1.3 type | 03 | 01 | 08 | 01 'T' | 01 | 05 00 (Eface @0) | 00 | 00 EOF */
static const uint8_t in_kind5_go13_ok[] = {HDR('3'), 0x03, 0x01, 0x08, 0x01, 'T', 0x01,
                                           0x05, 0x00, 0x00, 0x00};

/* ---- HDUMP_ERR_LIMIT ---- */

/* max_bytes = 4: header | 01 | 00 | 05 "abcde" | 00 | 00
 *                                  ^ 18 the length varint */
static const uint8_t in_len5[] = {HDR('7'), 0x01, 0x00, 0x05, 'a', 'b', 'c', 'd', 'e', 0x00, 0x00};

/* the same with 4 bytes: accepted under max_bytes = 4 */
static const uint8_t in_len4[] = {HDR('7'), 0x01, 0x00, 0x04, 'a', 'b', 'c', 'd', 0x00, 0x00};

/* header | 01 | 00 addr | 80 x8 40 (contents length 2^62) | (end, size 27)
 *                         ^ 18 LIMIT with default max_bytes (2^40);
 *                              TRUNCATED at 27 with max_bytes = UINT64_MAX */
static const uint8_t in_len_2p62[] = {HDR('7'), 0x01, 0x00, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0x80, 0x80, 0x80, 0x40};

/* max_fields = 2: header | 01 | 00 | 00 | 01 00 | 01 08 | 01 10 | 00 | 00
 *                                                        ^ 23 the 3rd kind varint */
static const uint8_t in_fields3[] = {HDR('7'), 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x08,
                                     0x01, 0x10, 0x00, 0x00};

/* two Ptr entries: accepted under max_fields = 2 */
static const uint8_t in_fields2[] = {HDR('7'), 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x08,
                                     0x00, 0x00};

/* max_fields = 2: header | 10 memprof | 01 bucket | 02 size | 03 nstk | ...
 *                                                           ^ 19 */
static const uint8_t in_memprof_nstk3[] = {HDR('7'), 0x10, 0x01, 0x02, 0x03,
                                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                           0x00, 0x00, 0x00, 0x00, 0x00};

/* default limits: header | 10 | 01 | 02 | ff x9 01 (nstk = UINT64_MAX) | (end)
 *                                        ^ 19 */
static const uint8_t in_memprof_nstk_huge[] = {HDR('7'), 0x10, 0x01, 0x02, FF9, 0x01};

/* max_records = 2: header | params (16..28) | 11 01 02 allocsample (29..31) | 00 EOF
 *                                                                             ^ 32 */
static const uint8_t in_three_recs[] = {HDR('7'), PARAMS17, 0x11, 0x01, 0x02, 0x00};

/* ---- HDUMP_ERR_TRAILING: offset = first byte after EOF ---- */

/* header | 00 EOF | 00
 *                   ^ 17, record_index 1 */
static const uint8_t in_trailing0[] = {HDR('7'), 0x00, 0x00};

/* header | params | 00 EOF | 'x'
 *                            ^ 30, record_index 2 */
static const uint8_t in_trailing_x[] = {HDR('7'), PARAMS17, 0x00, 'x'};

/* ---- HDUMP_ERR_NONCANONICAL (strict only) ---- */

/* header | 01 | 81 00 (addr 1, over-long) | 00 | 00 | 00
 *               ^ 17 */
static const uint8_t in_nc_addr[] = {HDR('7'), 0x01, 0x81, 0x00, 0x00, 0x00, 0x00};

/* header | 80 00 (tag 0, over-long)
 *          ^ 16 */
static const uint8_t in_nc_tag[] = {HDR('7'), 0x80, 0x00};

/* header | 01 | 00 | 82 00 "ab" (length 2, over-long) | 00 | 00
 *                    ^ 18 */
static const uint8_t in_nc_len[] = {HDR('7'), 0x01, 0x00, 0x82, 0x00, 'a', 'b', 0x00, 0x00};

/* header | 01 | 80 x9 00 (addr 0 in 10 bytes) | 00 | 00 | 00
 *               ^ 17 */
static const uint8_t in_nc_addr10[] = {HDR('7'), 0x01, X809, 0x00, 0x00, 0x00, 0x00};

/* ======================================================================
 * The case table
 * ====================================================================== */

typedef struct ecase {
    const char *name;
    const uint8_t *in;
    size_t len;
    hdump_status want; /* final status of hdump_reader_next */
    uint64_t off, idx, tag;
    uint64_t nrec; /* HDUMP_OK records returned before the final status */
    int strict;
    uint64_t max_bytes, max_fields, max_records; /* 0 = default */
} ecase;

#define IN(a) (a), sizeof(a)
#define E(code, off, idx, tag, nrec) (code), (off), (idx), (tag), (nrec)

static const ecase cases[] = {
    /* TRUNCATED */
    {"empty input", in_empty, 0, E(HDUMP_ERR_TRUNCATED, 0, 0, NONE, 0), 0, 0, 0, 0},
    {"header prefix", IN(in_hdr_prefix), E(HDUMP_ERR_TRUNCATED, 8, 0, NONE, 0), 0, 0, 0, 0},
    {"header prefix 1 byte", IN(in_hdr_prefix1), E(HDUMP_ERR_TRUNCATED, 1, 0, NONE, 0), 0, 0, 0, 0},
    {"header only", IN(in_hdr_only), E(HDUMP_ERR_TRUNCATED, 16, 0, NONE, 0), 0, 0, 0, 0},
    {"no EOF after params", IN(in_no_eof_after_params), E(HDUMP_ERR_TRUNCATED, 29, 1, NONE, 1), 0,
     0, 0, 0},
    {"inside tag", IN(in_trunc_tag), E(HDUMP_ERR_TRUNCATED, 17, 0, NONE, 0), 0, 0, 0, 0},
    {"inside addr varint", IN(in_trunc_addr), E(HDUMP_ERR_TRUNCATED, 19, 0, 1, 0), 0, 0, 0, 0},
    {"inside 9-byte addr", IN(in_trunc_addr9), E(HDUMP_ERR_TRUNCATED, 26, 0, 1, 0), 0, 0, 0, 0},
    {"after a length", IN(in_trunc_after_len), E(HDUMP_ERR_TRUNCATED, 19, 0, 1, 0), 0, 0, 0, 0},
    {"inside a byte range", IN(in_trunc_in_range), E(HDUMP_ERR_TRUNCATED, 21, 0, 1, 0), 0, 0, 0,
     0},
    {"field list: offset missing", IN(in_trunc_field_off), E(HDUMP_ERR_TRUNCATED, 20, 0, 1, 0), 0,
     0, 0, 0},
    {"field list: no terminator", IN(in_trunc_field_eol), E(HDUMP_ERR_TRUNCATED, 21, 0, 1, 0), 0,
     0, 0, 0},
    {"inside memstats", IN(in_trunc_memstats), E(HDUMP_ERR_TRUNCATED, 117, 0, 10, 0), 0, 0, 0, 0},
    {"inside memprof stack", IN(in_trunc_memprof_stack), E(HDUMP_ERR_TRUNCATED, 27, 0, 16, 0), 0,
     0, 0, 0},
    {"after memprof stack", IN(in_trunc_memprof_tail), E(HDUMP_ERR_TRUNCATED, 25, 0, 16, 0), 0, 0,
     0, 0},
    {"go1.3 type field list", IN(in_trunc_go13_type_fields), E(HDUMP_ERR_TRUNCATED, 23, 0, 3, 0),
     0, 0, 0, 0},
    {"second record", IN(in_trunc_second_rec), E(HDUMP_ERR_TRUNCATED, 31, 1, 1, 1), 0, 0, 0, 0},
    /* HEADER */
    {"header go1.8", IN(in_hdr_go18), E(HDUMP_ERR_HEADER, 0, 0, NONE, 0), 0, 0, 0, 0},
    {"header hello", IN(in_hdr_hello), E(HDUMP_ERR_HEADER, 0, 0, NONE, 0), 0, 0, 0, 0},
    {"header \\r", IN(in_hdr_cr), E(HDUMP_ERR_HEADER, 0, 0, NONE, 0), 0, 0, 0, 0},
    {"short non-prefix go1.9", IN(in_hdr_short_bad), E(HDUMP_ERR_HEADER, 0, 0, NONE, 0), 0, 0, 0,
     0},
    {"short non-prefix xy", IN(in_hdr_xy), E(HDUMP_ERR_HEADER, 0, 0, NONE, 0), 0, 0, 0, 0},
    /* VARINT */
    {"11-byte tag", IN(in_var_tag11), E(HDUMP_ERR_VARINT, 16, 0, NONE, 0), 0, 0, 0, 0},
    {"tag 10th byte 2", IN(in_var_tag_10th2), E(HDUMP_ERR_VARINT, 16, 0, NONE, 0), 0, 0, 0, 0},
    {"11-byte addr", IN(in_var_addr11), E(HDUMP_ERR_VARINT, 17, 0, 1, 0), 0, 0, 0, 0},
    {"addr 10th byte 2", IN(in_var_addr_10th2), E(HDUMP_ERR_VARINT, 17, 0, 1, 0), 0, 0, 0, 0},
    {"addr 10th byte 2 at end", IN(in_var_addr_10th2_end), E(HDUMP_ERR_VARINT, 17, 0, 1, 0), 0,
     0, 0, 0},
    {"addr 10 continuation bytes at end", IN(in_var_addr_10cont_end),
     E(HDUMP_ERR_VARINT, 17, 0, 1, 0), 0, 0, 0, 0},
    {"11-byte length", IN(in_var_len11), E(HDUMP_ERR_VARINT, 18, 0, 1, 0), 0, 0, 0, 0},
    {"field offset 10th byte 2", IN(in_var_field_off), E(HDUMP_ERR_VARINT, 20, 0, 1, 0), 0, 0, 0,
     0},
    {"memstats NumGC 11 bytes", IN(in_var_memstats), E(HDUMP_ERR_VARINT, 297, 0, 10, 0), 0, 0, 0,
     0},
    /* TAG */
    {"tag 18", IN(in_tag18), E(HDUMP_ERR_TAG, 16, 0, 18, 0), 0, 0, 0, 0},
    {"tag 128", IN(in_tag128), E(HDUMP_ERR_TAG, 16, 0, 128, 0), 0, 0, 0, 0},
    {"tag UINT64_MAX", IN(in_tag_huge), E(HDUMP_ERR_TAG, 16, 0, NONE, 0), 0, 0, 0, 0},
    {"tag 19 after params", IN(in_tag_second), E(HDUMP_ERR_TAG, 29, 1, 19, 1), 0, 0, 0, 0},
    {"go1.3 tag 18", IN(in_tag18_go13), E(HDUMP_ERR_TAG, 16, 0, 18, 0), 0, 0, 0, 0},
    /* FIELD_KIND */
    {"go1.7 kind 4", IN(in_kind4_go17), E(HDUMP_ERR_FIELD_KIND, 21, 0, 1, 0), 0, 0, 0, 0},
    {"go1.7 kind 128", IN(in_kind128_go17), E(HDUMP_ERR_FIELD_KIND, 19, 0, 1, 0), 0, 0, 0, 0},
    {"go1.4 data kind 4", IN(in_kind4_go14_data), E(HDUMP_ERR_FIELD_KIND, 19, 0, 12, 0), 0, 0, 0,
     0},
    {"go1.3 type kind 6", IN(in_kind6_go13_type), E(HDUMP_ERR_FIELD_KIND, 22, 0, 3, 0), 0, 0, 0,
     0},
    {"go1.3 frame kind 6", IN(in_kind6_go13_frame), E(HDUMP_ERR_FIELD_KIND, 25, 0, 5, 0), 0, 0, 0,
     0},
    {"go1.5 frame kind 4", IN(in_kind4_go15_frame), E(HDUMP_ERR_FIELD_KIND, 27, 0, 5, 0), 0, 0, 0,
     0},
    {"go1.4 kind 3 accepted", IN(in_kind3_go14_ok), E(HDUMP_END, 0, 0, NONE, 1), 0, 0, 0, 0},
    {"go1.3 kind 5 accepted", IN(in_kind5_go13_ok), E(HDUMP_END, 0, 0, NONE, 1), 0, 0, 0, 0},
    /* LIMIT */
    {"max_bytes 4, length 5", IN(in_len5), E(HDUMP_ERR_LIMIT, 18, 0, 1, 0), 0, 4, 0, 0},
    {"max_bytes 4, length 4", IN(in_len4), E(HDUMP_END, 0, 0, NONE, 1), 0, 4, 0, 0},
    {"length 2^62, default limits", IN(in_len_2p62), E(HDUMP_ERR_LIMIT, 18, 0, 1, 0), 0, 0, 0, 0},
    {"length 2^62, max_bytes unlimited", IN(in_len_2p62), E(HDUMP_ERR_TRUNCATED, 27, 0, 1, 0), 0,
     UINT64_MAX, 0, 0},
    {"max_fields 2, 3 entries", IN(in_fields3), E(HDUMP_ERR_LIMIT, 23, 0, 1, 0), 0, 0, 2, 0},
    {"max_fields 2, 2 entries", IN(in_fields2), E(HDUMP_END, 0, 0, NONE, 1), 0, 0, 2, 0},
    {"memprof nstk 3 > max_fields 2", IN(in_memprof_nstk3), E(HDUMP_ERR_LIMIT, 19, 0, 16, 0), 0,
     0, 2, 0},
    {"memprof nstk UINT64_MAX", IN(in_memprof_nstk_huge), E(HDUMP_ERR_LIMIT, 19, 0, 16, 0), 0, 0,
     0, 0},
    {"max_records 2", IN(in_three_recs), E(HDUMP_ERR_LIMIT, 32, 2, NONE, 2), 0, 0, 0, 2},
    {"max_records 3", IN(in_three_recs), E(HDUMP_END, 0, 0, NONE, 2), 0, 0, 0, 3},
    /* TRAILING */
    {"byte after EOF", IN(in_trailing0), E(HDUMP_ERR_TRAILING, 17, 1, NONE, 0), 0, 0, 0, 0},
    {"'x' after params+EOF", IN(in_trailing_x), E(HDUMP_ERR_TRAILING, 30, 2, NONE, 1), 0, 0, 0,
     0},
    /* NONCANONICAL */
    {"strict over-long addr", IN(in_nc_addr), E(HDUMP_ERR_NONCANONICAL, 17, 0, 1, 0), 1, 0, 0, 0},
    {"lax over-long addr", IN(in_nc_addr), E(HDUMP_END, 0, 0, NONE, 1), 0, 0, 0, 0},
    {"strict over-long tag", IN(in_nc_tag), E(HDUMP_ERR_NONCANONICAL, 16, 0, NONE, 0), 1, 0, 0, 0},
    {"lax over-long tag (EOF)", IN(in_nc_tag), E(HDUMP_END, 0, 0, NONE, 0), 0, 0, 0, 0},
    {"strict over-long length", IN(in_nc_len), E(HDUMP_ERR_NONCANONICAL, 18, 0, 1, 0), 1, 0, 0, 0},
    {"lax over-long length", IN(in_nc_len), E(HDUMP_END, 0, 0, NONE, 1), 0, 0, 0, 0},
    {"strict 10-byte zero", IN(in_nc_addr10), E(HDUMP_ERR_NONCANONICAL, 17, 0, 1, 0), 1, 0, 0, 0},
    {"lax 10-byte zero", IN(in_nc_addr10), E(HDUMP_END, 0, 0, NONE, 1), 0, 0, 0, 0},
};

/* ======================================================================
 * Sources and allocator
 * ====================================================================== */

/* A callback source that hands out one byte per read. */
typedef struct onebyte {
    const uint8_t *d;
    size_t n, pos;
} onebyte;

static hdump_status onebyte_read(void *ctx, void *buf, size_t cap, size_t *got) {
    onebyte *s = ctx;
    if (cap == 0 || s->pos >= s->n) {
        *got = 0;
        return HDUMP_OK;
    }
    ((uint8_t *)buf)[0] = s->d[s->pos++];
    *got = 1;
    return HDUMP_OK;
}

/* Counts allocations and records the largest single request. */
typedef struct counting {
    size_t max_req;
    unsigned long n;
} counting;

static void *c_alloc(void *ctx, size_t n) {
    counting *c = ctx;
    c->n++;
    if (n > c->max_req) c->max_req = n;
    return malloc(n);
}

static void *c_realloc(void *ctx, void *p, size_t old_n, size_t new_n) {
    counting *c = ctx;
    (void)old_n;
    c->n++;
    if (new_n > c->max_req) c->max_req = new_n;
    return realloc(p, new_n);
}

static void c_free(void *ctx, void *p, size_t n) {
    (void)ctx;
    (void)n;
    free(p);
}

enum { M_MEM, M_STREAM32, M_STREAMDEF, M_STREAM32_SIZED, M_COUNT };
static const char *const mode_names[M_COUNT] = {"mem", "stream1/buf32", "stream1/default",
                                                "stream1/buf32/sized"};

/* Creates a reader over `in` in the given mode. */
static hdump_status open_reader(int mode, hdump_reader_opts *o, const uint8_t *in, size_t len,
                                onebyte *src, hdump_reader **r) {
    if (mode == M_MEM) return hdump_reader_new_mem(o, len ? in : NULL, len, r);
    src->d = in;
    src->n = len;
    src->pos = 0;
    if (mode == M_STREAM32 || mode == M_STREAM32_SIZED) o->buffer_size = 32;
    hdump_source s;
    s.read = onebyte_read;
    s.ctx = src;
    s.size = mode == M_STREAM32_SIZED ? (uint64_t)len : UINT64_MAX;
    return hdump_reader_new_source(o, s, r);
}

/* ======================================================================
 * Running a case
 * ====================================================================== */

static void run_case(const ecase *c, int mode) {
    int fail0 = t_fail;
    counting cnt = {0, 0};
    hdump_alloc a = {c_alloc, c_realloc, c_free, &cnt};
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.strict = c->strict;
    if (c->max_bytes) o.limits.max_bytes = c->max_bytes;
    if (c->max_fields) o.limits.max_fields = c->max_fields;
    if (c->max_records) o.limits.max_records = c->max_records;
    o.alloc = &a;
    onebyte src;
    hdump_reader *r = NULL;
    T_EQ(open_reader(mode, &o, c->in, c->len, &src, &r), HDUMP_OK);
    if (r == NULL) return;

    hdump_record rec;
    hdump_status st;
    uint64_t n = 0;
    while ((st = hdump_reader_next(r, &rec)) == HDUMP_OK) {
        T_EQ(rec.index, n);
        n++;
        if (n > 1000) break;
    }
    T_EQ(st, c->want);
    T_EQ(n, c->nrec);

    hdump_error e;
    memset(&e, 0, sizeof e);
    e = *hdump_reader_error(r);
    if (c->want < 0) {
        T_EQ(e.code, c->want);
        T_EQ(e.offset, c->off);
        T_EQ(e.record_index, c->idx);
        T_EQ(e.tag, c->tag);
        T_TRUE(e.msg != NULL);
    } else {
        T_EQ(e.code, HDUMP_OK);
        T_TRUE(e.msg == NULL);
        T_EQ(rec.tag, HDUMP_TAG_EOF);
    }

    /* Sticky: the same status again, the error struct unchanged. */
    for (int k = 0; k < 2; k++) {
        hdump_status st2 = hdump_reader_next(r, &rec);
        T_EQ(st2, c->want);
        const hdump_error *e2 = hdump_reader_error(r);
        T_EQ(e2->code, e.code);
        T_EQ(e2->offset, e.offset);
        T_EQ(e2->record_index, e.record_index);
        T_EQ(e2->tag, e.tag);
        T_TRUE(e2->msg == e.msg);
    }
    if (c->want < 0) {
        hdump_version v;
        T_EQ(hdump_reader_version(r, &v), c->want); /* sticky there too */
    }

    /* Nothing is ever sized from a declared length: every input here is tiny. */
    size_t cap = mode == M_STREAMDEF ? (size_t)256 << 10 : (size_t)64 << 10;
    T_TRUE(cnt.max_req <= cap);
    hdump_reader_free(r);

    if (t_fail != fail0)
        fprintf(stderr, "  ^^ in case \"%s\", mode %s (got code %d offset %" PRIu64
                        " index %" PRIu64 " tag %" PRIu64 ")\n",
                c->name, mode_names[mode], (int)e.code, e.offset, e.record_index, e.tag);
}

/* ======================================================================
 * Value checks for inputs that read fine
 * ====================================================================== */

/* Non-strict: an over-long varint yields its value. */
static void test_lax_values(void) {
    for (int mode = 0; mode < M_COUNT; mode++) {
        hdump_reader_opts o;
        hdump_reader_opts_init(&o);
        onebyte src;
        hdump_reader *r = NULL;
        hdump_record rec;
        /* header | 01 | 81 00 -> addr 1 | 00 | 00 | 00 */
        T_EQ(open_reader(mode, &o, in_nc_addr, sizeof in_nc_addr, &src, &r), HDUMP_OK);
        T_EQ(hdump_reader_next(r, &rec), HDUMP_OK);
        T_EQ(rec.tag, HDUMP_TAG_OBJECT);
        T_EQ(rec.offset, 16);
        T_EQ(rec.u.object.addr, 1);
        T_EQ(rec.u.object.contents.len, 0);
        T_EQ(rec.u.object.fields.count, 0);
        T_EQ(hdump_reader_next(r, &rec), HDUMP_END);
        T_EQ(rec.tag, HDUMP_TAG_EOF);
        T_EQ(rec.offset, 21);
        hdump_reader_free(r);

        /* header | 01 | 00 | 82 00 "ab" -> contents "ab" */
        hdump_reader_opts_init(&o);
        T_EQ(open_reader(mode, &o, in_nc_len, sizeof in_nc_len, &src, &r), HDUMP_OK);
        T_EQ(hdump_reader_next(r, &rec), HDUMP_OK);
        T_EQ(rec.u.object.contents.len, 2);
        T_TRUE(rec.u.object.contents.ptr != NULL &&
               memcmp(rec.u.object.contents.ptr, "ab", 2) == 0);
        T_EQ(hdump_reader_next(r, &rec), HDUMP_END);
        hdump_reader_free(r);

        /* accepted kinds come back as read */
        hdump_reader_opts_init(&o);
        T_EQ(open_reader(mode, &o, in_kind3_go14_ok, sizeof in_kind3_go14_ok, &src, &r),
             HDUMP_OK);
        T_EQ(hdump_reader_next(r, &rec), HDUMP_OK);
        T_EQ(rec.u.object.fields.count, 1);
        if (rec.u.object.fields.count == 1) {
            T_EQ(rec.u.object.fields.items[0].kind, HDUMP_FIELD_GO14_EFACE);
            T_EQ(rec.u.object.fields.items[0].offset, 0);
        }
        hdump_reader_free(r);

        hdump_reader_opts_init(&o);
        T_EQ(open_reader(mode, &o, in_kind5_go13_ok, sizeof in_kind5_go13_ok, &src, &r),
             HDUMP_OK);
        hdump_version v = HDUMP_GO1_7;
        T_EQ(hdump_reader_version(r, &v), HDUMP_OK);
        T_EQ(v, HDUMP_GO1_3);
        T_EQ(hdump_reader_next(r, &rec), HDUMP_OK);
        T_EQ(rec.tag, HDUMP_TAG_TYPE);
        T_EQ(rec.u.type.fields.count, 1);
        if (rec.u.type.fields.count == 1)
            T_EQ(rec.u.type.fields.items[0].kind, HDUMP_FIELD_GO13_EFACE);
        hdump_reader_free(r);
    }
}

/* ======================================================================
 * API misuse and status strings
 * ====================================================================== */

static void test_api(void) {
    hdump_reader *r = NULL;
    T_EQ(hdump_reader_new_mem(NULL, NULL, 5, &r), HDUMP_ERR_USAGE);
    T_TRUE(r == NULL);

    /* NULL data with size 0 is a valid empty input: truncated at 0. */
    r = NULL;
    T_EQ(hdump_reader_new_mem(NULL, NULL, 0, &r), HDUMP_OK);
    T_TRUE(r != NULL);
    if (r) {
        hdump_record rec;
        T_EQ(hdump_reader_next(r, &rec), HDUMP_ERR_TRUNCATED);
        T_EQ(hdump_reader_error(r)->offset, 0);
        hdump_reader_free(r);
    }

    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.kernel = "no-such-kernel";
    /* (the reader constructors leave *out untouched on failure, unlike
     * hdump_writer_new which documents NULL; so start from NULL here) */
    r = NULL;
    T_EQ(hdump_reader_new_mem(&o, in_trailing0, sizeof in_trailing0, &r), HDUMP_ERR_UNSUPPORTED);
    T_TRUE(r == NULL);
    onebyte src = {in_trailing0, sizeof in_trailing0, 0};
    hdump_source s = {onebyte_read, &src, UINT64_MAX};
    T_EQ(hdump_reader_new_source(&o, s, &r), HDUMP_ERR_UNSUPPORTED);
    T_TRUE(r == NULL);

    o.kernel = "scalar"; /* the reference kernel is always there */
    r = NULL;
    T_EQ(hdump_reader_new_mem(&o, in_hdr_only, sizeof in_hdr_only, &r), HDUMP_OK);
    hdump_reader_free(r);

    /* buffer smaller than 32 bytes */
    hdump_reader_opts_init(&o);
    o.buffer_size = 31;
    r = NULL;
    T_EQ(hdump_reader_new_source(&o, s, &r), HDUMP_ERR_USAGE);
    hdump_source nos = {NULL, NULL, UINT64_MAX};
    T_EQ(hdump_reader_new_source(NULL, nos, &r), HDUMP_ERR_USAGE);

    hdump_record rec;
    T_EQ(hdump_reader_next(NULL, &rec), HDUMP_ERR_USAGE);

    /* status strings: total, non-NULL and distinct */
    static const hdump_status all[] = {
        HDUMP_OK,          HDUMP_END,          HDUMP_ERR_TRUNCATED, HDUMP_ERR_VARINT,
        HDUMP_ERR_TAG,     HDUMP_ERR_FIELD_KIND, HDUMP_ERR_LIMIT,   HDUMP_ERR_HEADER,
        HDUMP_ERR_TRAILING, HDUMP_ERR_IO,      HDUMP_ERR_NOMEM,     HDUMP_ERR_USAGE,
        HDUMP_ERR_NOSPACE, HDUMP_ERR_UNSUPPORTED, HDUMP_ERR_NONCANONICAL};
    const size_t n = sizeof all / sizeof all[0];
    const char *unknown = hdump_status_str((hdump_status)-99);
    T_TRUE(unknown != NULL);
    for (size_t i = 0; i < n; i++) {
        const char *si = hdump_status_str(all[i]);
        T_TRUE(si != NULL && si[0] != '\0');
        if (si == NULL) continue;
        T_TRUE(unknown == NULL || strcmp(si, unknown) != 0);
        for (size_t j = i + 1; j < n; j++) {
            const char *sj = hdump_status_str(all[j]);
            T_TRUE(sj != NULL && strcmp(si, sj) != 0);
        }
    }
    /* The pinned ABI values. */
    T_EQ((int64_t)HDUMP_ERR_TRUNCATED, (int64_t)-1);
    T_EQ((int64_t)HDUMP_ERR_NONCANONICAL, (int64_t)-13);
    T_EQ(HDUMP_END, 2);
}

/* Errors found through hdump_reader_version before any record. */
static void test_version_errors(void) {
    for (int mode = 0; mode < M_COUNT; mode++) {
        hdump_reader_opts o;
        hdump_reader_opts_init(&o);
        onebyte src;
        hdump_reader *r = NULL;
        hdump_version v;
        T_EQ(open_reader(mode, &o, in_hdr_go18, sizeof in_hdr_go18, &src, &r), HDUMP_OK);
        T_EQ(hdump_reader_version(r, &v), HDUMP_ERR_HEADER);
        hdump_record rec;
        T_EQ(hdump_reader_next(r, &rec), HDUMP_ERR_HEADER);
        T_EQ(hdump_reader_error(r)->offset, 0);
        hdump_reader_free(r);

        hdump_reader_opts_init(&o);
        T_EQ(open_reader(mode, &o, in_hdr_prefix, sizeof in_hdr_prefix, &src, &r), HDUMP_OK);
        T_EQ(hdump_reader_version(r, &v), HDUMP_ERR_TRUNCATED);
        T_EQ(hdump_reader_error(r)->offset, 8);
        hdump_reader_free(r);
    }
}

int main(void) {
    /* header | 0a | 100 x 00 */
    memcpy(in_trunc_memstats, in_hdr_only, 16);
    in_trunc_memstats[16] = 0x0a;
    /* header | 0a | 280 x 00 | ff x10 01 */
    memcpy(in_var_memstats, in_hdr_only, 16);
    in_var_memstats[16] = 0x0a;
    for (size_t i = 0; i < 10; i++) in_var_memstats[16 + 1 + 280 + i] = 0xff;
    in_var_memstats[16 + 1 + 280 + 10] = 0x01;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int mode = 0; mode < M_COUNT; mode++) run_case(&cases[i], mode);
    test_lax_values();
    test_api();
    test_version_errors();
    return t_done();
}
