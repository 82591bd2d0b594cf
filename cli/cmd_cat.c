/* cli/cmd_cat.c: `hdump cat [--json] [--bytes] FILE`: one line per record,
 * every field by its hdump_record member name. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static const char help[] =
    "usage: hdump cat [--json] [--bytes] FILE\n"
    "\n"
    "Prints every record of FILE ('-' = standard input) in file order, one line\n"
    "per record: its index, its stream offset, its tag, then every field the\n"
    "dump's format version stores, named as in hdump_record (hdump/record.h).\n"
    "\n"
    "  --json    NDJSON: one JSON object per line, keys \"index\", \"offset\",\n"
    "            \"tag\" (the tag's name), then the fields\n"
    "  --bytes   print every byte range in full; by default a range longer than\n"
    "            32 bytes is shown as its length and FNV-1a-64 hash\n"
    "\n"
    "Text lines: #INDEX @OFFSET TAG NAME=VALUE ...\n"
    "  addresses, pcs and pointers in hex (0x...), other integers in decimal;\n"
    "  names and other strings quoted, with \\\" \\\\ \\n \\r \\t escapes and \\xNN for\n"
    "  other control characters and for bytes that are not UTF-8;\n"
    "  contents as <N bytes HEX>; a long range as <N bytes fnv1a64=HASH>;\n"
    "  field lists as [KIND@OFFSET,...], the kind numbers of the dump's version;\n"
    "  memstats: the 24 named values, pause_ns run-length compressed (V*N =\n"
    "  N entries equal to V), num_gc; memprof stack as [\"FUNC\" \"FILE\":LINE,...].\n"
    "JSON lines: every integer, addresses included, is a JSON number holding the\n"
    "  exact decimal value (readers that use doubles lose precision above 2^53);\n"
    "  strings are JSON strings, with control characters and bytes that are not\n"
    "  UTF-8 as \\u00XX (a stray byte 0xB5 becomes \\u00b5, as if Latin-1);\n"
    "  contents as {\"len\":N,\"hex\":\"...\"}; a long range (contents or string)\n"
    "  as {\"len\":N,\"fnv1a64\":\"16 hex digits\"}; field lists as\n"
    "  [[KIND,OFFSET],...]; memstats \"v\": all 281 values in order; memprof\n"
    "  \"stack\": [{\"func\",\"file\",\"line\"},...].\n"
    "\n"
    "On malformed input the records before the damage are printed, then\n"
    "'FILE: offset N: <what is wrong>' goes to stderr. Progress (records/s,\n"
    "bytes/s, ETA) goes to stderr when it is a terminal and stdout is not.\n"
    "\n"
    "exit codes: 0 success, 1 malformed input (error on stderr), 2 usage or I/O error\n";

#define SHORT_MAX 32u
#define FNV_BASIS UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static const char hexdig[] = "0123456789abcdef";

static const char *const ms_names[HDUMP_MS_PAUSE_NS] = {
    "alloc",       "total_alloc",  "sys",          "lookups",     "mallocs",
    "frees",       "heap_alloc",   "heap_sys",     "heap_idle",   "heap_inuse",
    "heap_released", "heap_objects", "stack_inuse", "stack_sys",  "mspan_inuse",
    "mspan_sys",   "mcache_inuse", "mcache_sys",   "buckhash_sys", "gc_sys",
    "other_sys",   "next_gc",      "last_gc",      "pause_total_ns"};

typedef struct streamed {
    uint32_t which;
    uint64_t hash;
} streamed;

typedef struct cat {
    FILE *o;
    int json, bytes;
    hdump_version v;
    /* Hashes of the ranges a streaming reader passed to on_range for the
     * record being read (index cur); a record has few ranges except memprof. */
    uint64_t cur;
    streamed *st;
    size_t nst, capst;
    int nomem;
} cat;

static uint64_t fnv1a64(uint64_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

static int on_range(void *ctx, const hdump_range_chunk *ch) {
    cat *c = ctx;
    if (ch->record_index != c->cur) {
        c->cur = ch->record_index;
        c->nst = 0;
    }
    streamed *s = NULL;
    for (size_t i = 0; i < c->nst; i++)
        if (c->st[i].which == ch->which) s = &c->st[i];
    if (s == NULL) {
        if (c->nst == c->capst) {
            size_t cap = c->capst ? 2 * c->capst : 8;
            streamed *n = realloc(c->st, cap * sizeof *n);
            if (n == NULL) {
                c->nomem = 1;
                return 1;
            }
            c->st = n;
            c->capst = cap;
        }
        s = &c->st[c->nst++];
        s->which = ch->which;
        s->hash = FNV_BASIS;
    }
    s->hash = fnv1a64(s->hash, ch->ptr, ch->len);
    return 0;
}

/* ---- output primitives ---- */

static void key(cat *c, const char *name) {
    if (c->json) fprintf(c->o, ",\"%s\":", name);
    else fprintf(c->o, " %s=", name);
}

static void put_dec(cat *c, const char *name, uint64_t v) {
    key(c, name);
    fprintf(c->o, "%" PRIu64, v);
}

/* Addresses, pcs and pointers: hex in text, a number in JSON. */
static void put_addr(cat *c, const char *name, uint64_t v) {
    key(c, name);
    if (c->json) fprintf(c->o, "%" PRIu64, v);
    else fprintf(c->o, "0x%" PRIx64, v);
}

/* Length of the valid UTF-8 sequence of 2..4 bytes at p, or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n) {
    uint8_t b = p[0];
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        if (b == 0xe0) lo = 0xa0;
        if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        if (b == 0xf0) lo = 0x90;
        if (b == 0xf4) hi = 0x8f;
    } else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xbf) return 0;
    return len;
}

static void put_escaped(cat *c, const uint8_t *p, uint64_t n64) {
    FILE *o = c->o;
    size_t n = (size_t)n64;
    putc('"', o);
    for (size_t i = 0; i < n;) {
        uint8_t b = p[i];
        const char *esc = NULL;
        switch (b) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
        }
        if (esc) {
            fputs(esc, o);
            i++;
        } else if (b >= 0x20 && b < 0x7f) {
            putc(b, o);
            i++;
        } else {
            size_t k = b >= 0x80 ? utf8_seq(p + i, n - i) : 0;
            if (k) {
                fwrite(p + i, 1, k, o);
                i += k;
            } else {
                fprintf(o, c->json ? "\\u%04x" : "\\x%02x", (unsigned)b);
                i++;
            }
        }
    }
    putc('"', o);
}

static void put_hex(cat *c, const uint8_t *p, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) {
        putc(hexdig[p[i] >> 4], c->o);
        putc(hexdig[p[i] & 15], c->o);
    }
}

/* The hash of a range: computed here for an inline range, from the chunks
 * on_range saw for a streamed one. Returns 0 if unknown. */
static int range_hash(cat *c, const hdump_record *rec, const hdump_bytes *b, uint32_t which,
                      uint64_t *h) {
    if (b->ptr != NULL) {
        *h = fnv1a64(FNV_BASIS, b->ptr, (size_t)b->len);
        return 1;
    }
    if (c->cur != rec->index) return 0;
    for (size_t i = 0; i < c->nst; i++)
        if (c->st[i].which == which) {
            *h = c->st[i].hash;
            return 1;
        }
    return 0;
}

static void put_elided(cat *c, const hdump_record *rec, const hdump_bytes *b, uint32_t which) {
    uint64_t h;
    int known = range_hash(c, rec, b, which, &h);
    if (c->json) {
        fprintf(c->o, "{\"len\":%" PRIu64, b->len);
        if (known) fprintf(c->o, ",\"fnv1a64\":\"%016" PRIx64 "\"", h);
        putc('}', c->o);
    } else {
        fprintf(c->o, "<%" PRIu64 " bytes", b->len);
        if (known) fprintf(c->o, " fnv1a64=%016" PRIx64, h);
        putc('>', c->o);
    }
}

static int shown_whole(const cat *c, const hdump_bytes *b) {
    return b->len == 0 || (b->ptr != NULL && (c->bytes || b->len <= SHORT_MAX));
}

/* A string (a name): quoted and escaped, or elided when long. */
static void put_strval(cat *c, const hdump_record *rec, const hdump_bytes *b, uint32_t which) {
    if (shown_whole(c, b)) put_escaped(c, b->ptr, b->len);
    else put_elided(c, rec, b, which);
}

static void put_str(cat *c, const char *name, const hdump_record *rec, const hdump_bytes *b,
                    uint32_t which) {
    key(c, name);
    put_strval(c, rec, b, which);
}

/* Binary contents: hex, or elided when long. */
static void put_bin(cat *c, const char *name, const hdump_record *rec, const hdump_bytes *b,
                    uint32_t which) {
    key(c, name);
    if (!shown_whole(c, b)) {
        put_elided(c, rec, b, which);
    } else if (c->json) {
        fprintf(c->o, "{\"len\":%" PRIu64 ",\"hex\":\"", b->len);
        put_hex(c, b->ptr, b->len);
        fputs("\"}", c->o);
    } else {
        fprintf(c->o, "<%" PRIu64 " bytes", b->len);
        if (b->len) putc(' ', c->o);
        put_hex(c, b->ptr, b->len);
        putc('>', c->o);
    }
}

static void put_fields(cat *c, const hdump_fields *f) {
    key(c, "fields");
    putc('[', c->o);
    for (uint64_t i = 0; i < f->count; i++) {
        if (c->json)
            fprintf(c->o, "%s[%" PRIu64 ",%" PRIu64 "]", i ? "," : "", f->items[i].kind,
                    f->items[i].offset);
        else
            fprintf(c->o, "%s%" PRIu64 "@%" PRIu64, i ? "," : "", f->items[i].kind,
                    f->items[i].offset);
    }
    putc(']', c->o);
}

static void put_memstats(cat *c, const hdump_memstats *m) {
    if (c->json) {
        key(c, "v");
        putc('[', c->o);
        for (int i = 0; i < HDUMP_MEMSTATS_COUNT; i++)
            fprintf(c->o, "%s%" PRIu64, i ? "," : "", m->v[i]);
        putc(']', c->o);
        return;
    }
    for (int i = 0; i < HDUMP_MS_PAUSE_NS; i++) put_dec(c, ms_names[i], m->v[i]);
    key(c, "pause_ns");
    putc('[', c->o);
    for (int i = HDUMP_MS_PAUSE_NS; i < HDUMP_MS_NUM_GC;) {
        int j = i + 1;
        while (j < HDUMP_MS_NUM_GC && m->v[j] == m->v[i]) j++;
        fprintf(c->o, "%s%" PRIu64, i > HDUMP_MS_PAUSE_NS ? "," : "", m->v[i]);
        if (j - i > 1) fprintf(c->o, "*%d", j - i);
        i = j;
    }
    putc(']', c->o);
    put_dec(c, "num_gc", m->v[HDUMP_MS_NUM_GC]);
}

static void put_memprof(cat *c, const hdump_record *rec) {
    const hdump_memprof *m = &rec->u.memprof;
    put_addr(c, "bucket", m->bucket);
    put_dec(c, "size", m->size);
    put_dec(c, "nstk", m->nstk);
    key(c, "stack");
    putc('[', c->o);
    for (uint64_t i = 0; i < m->nstk; i++) {
        const hdump_memprof_frame *f = &m->stack[i];
        uint32_t w = (uint32_t)(2 * i);
        if (i) putc(',', c->o);
        if (c->json) {
            fputs("{\"func\":", c->o);
            put_strval(c, rec, &f->func, w);
            fputs(",\"file\":", c->o);
            put_strval(c, rec, &f->file, w + 1);
            fprintf(c->o, ",\"line\":%" PRIu64 "}", f->line);
        } else {
            put_strval(c, rec, &f->func, w);
            putc(' ', c->o);
            put_strval(c, rec, &f->file, w + 1);
            fprintf(c->o, ":%" PRIu64, f->line);
        }
    }
    putc(']', c->o);
    put_dec(c, "allocs", m->allocs);
    put_dec(c, "frees", m->frees);
}

static void put_record(cat *c, const hdump_record *rec) {
    const char *tag = hdump_tag_name((uint64_t)rec->tag);
    int go13 = c->v == HDUMP_GO1_3;
    if (c->json)
        fprintf(c->o, "{\"index\":%" PRIu64 ",\"offset\":%" PRIu64 ",\"tag\":\"%s\"", rec->index,
                rec->offset, tag);
    else
        fprintf(c->o, "#%" PRIu64 " @%" PRIu64 " %s", rec->index, rec->offset, tag);
    switch (rec->tag) {
    case HDUMP_TAG_EOF: break;
    case HDUMP_TAG_OBJECT: {
        const hdump_object *x = &rec->u.object;
        put_addr(c, "addr", x->addr);
        if (go13) {
            put_addr(c, "type_addr", x->type_addr);
            put_dec(c, "kind", x->kind);
        }
        put_bin(c, "contents", rec, &x->contents, 0);
        if (!go13) put_fields(c, &x->fields);
        break;
    }
    case HDUMP_TAG_OTHERROOT:
        put_str(c, "description", rec, &rec->u.otherroot.description, 0);
        put_addr(c, "ptr", rec->u.otherroot.ptr);
        break;
    case HDUMP_TAG_TYPE: {
        const hdump_type *x = &rec->u.type;
        put_addr(c, "addr", x->addr);
        put_dec(c, "size", x->size);
        put_str(c, "name", rec, &x->name, 0);
        put_dec(c, "indirect", x->indirect);
        if (go13) put_fields(c, &x->fields);
        break;
    }
    case HDUMP_TAG_GOROUTINE: {
        const hdump_goroutine *x = &rec->u.goroutine;
        put_addr(c, "addr", x->addr);
        put_addr(c, "sp", x->sp);
        put_dec(c, "goid", x->goid);
        put_addr(c, "gopc", x->gopc);
        put_dec(c, "status", x->status);
        put_dec(c, "is_system", x->is_system);
        put_dec(c, "is_background", x->is_background);
        put_dec(c, "wait_since", x->wait_since);
        put_str(c, "wait_reason", rec, &x->wait_reason, 0);
        put_addr(c, "ctxt", x->ctxt);
        put_addr(c, "m", x->m);
        put_addr(c, "top_defer", x->top_defer);
        put_addr(c, "top_panic", x->top_panic);
        break;
    }
    case HDUMP_TAG_STACKFRAME: {
        const hdump_stackframe *x = &rec->u.frame;
        put_addr(c, "sp", x->sp);
        put_dec(c, "depth", x->depth);
        put_addr(c, "child_sp", x->child_sp);
        put_bin(c, "contents", rec, &x->contents, 0);
        put_addr(c, "entry_pc", x->entry_pc);
        put_addr(c, "pc", x->pc);
        put_addr(c, "cont_pc", x->cont_pc);
        put_str(c, "name", rec, &x->name, 1);
        put_fields(c, &x->fields);
        break;
    }
    case HDUMP_TAG_PARAMS: {
        const hdump_params *x = &rec->u.params;
        put_dec(c, "big_endian", x->big_endian);
        put_dec(c, "ptr_size", x->ptr_size);
        if (go13) put_dec(c, "chan_header_size", x->chan_header_size);
        put_addr(c, "heap_start", x->heap_start);
        put_addr(c, "heap_end", x->heap_end);
        if (c->v == HDUMP_GO1_7) put_str(c, "arch", rec, &x->arch, 0);
        else put_dec(c, "arch_char", x->arch_char);
        put_str(c, "experiment", rec, &x->experiment, 1);
        put_dec(c, "ncpu", x->ncpu);
        break;
    }
    case HDUMP_TAG_FINALIZER:
    case HDUMP_TAG_QUEUEDFINALIZER: {
        const hdump_finalizer *x = &rec->u.finalizer;
        put_addr(c, "obj", x->obj);
        put_addr(c, "fn", x->fn);
        put_addr(c, "fn_pc", x->fn_pc);
        put_addr(c, "fint", x->fint);
        put_addr(c, "ot", x->ot);
        break;
    }
    case HDUMP_TAG_ITAB:
        put_addr(c, "addr", rec->u.itab.addr);
        if (go13) put_dec(c, "data_is_ptr", rec->u.itab.data_is_ptr);
        else put_addr(c, "type_addr", rec->u.itab.type_addr);
        break;
    case HDUMP_TAG_OSTHREAD:
        put_addr(c, "addr", rec->u.osthread.addr);
        put_dec(c, "id", rec->u.osthread.id);
        put_dec(c, "procid", rec->u.osthread.procid);
        break;
    case HDUMP_TAG_MEMSTATS: put_memstats(c, &rec->u.memstats); break;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS:
        put_addr(c, "addr", rec->u.segment.addr);
        put_bin(c, "contents", rec, &rec->u.segment.contents, 0);
        put_fields(c, &rec->u.segment.fields);
        break;
    case HDUMP_TAG_DEFER: {
        const hdump_defer *x = &rec->u.defer;
        put_addr(c, "addr", x->addr);
        put_addr(c, "g", x->g);
        put_addr(c, "argp", x->argp);
        put_addr(c, "pc", x->pc);
        put_addr(c, "fn", x->fn);
        put_addr(c, "fn_pc", x->fn_pc);
        put_addr(c, "link", x->link);
        break;
    }
    case HDUMP_TAG_PANIC: {
        const hdump_panic *x = &rec->u.panic;
        put_addr(c, "addr", x->addr);
        put_addr(c, "g", x->g);
        put_addr(c, "arg_type", x->arg_type);
        put_addr(c, "arg_data", x->arg_data);
        put_addr(c, "defer", x->defer);
        put_addr(c, "link", x->link);
        break;
    }
    case HDUMP_TAG_MEMPROF: put_memprof(c, rec); break;
    case HDUMP_TAG_ALLOCSAMPLE:
        put_addr(c, "addr", rec->u.allocsample.addr);
        put_addr(c, "bucket", rec->u.allocsample.bucket);
        break;
    }
    fputs(c->json ? "}\n" : "\n", c->o);
}

uint64_t cli_input_size(const char *path) {
    struct stat sb;
    int ok = strcmp(path, "-") == 0 ? fstat(0, &sb) == 0 : stat(path, &sb) == 0;
    return ok && S_ISREG(sb.st_mode) && sb.st_size > 0 ? (uint64_t)sb.st_size : 0;
}

int cmd_cat(int argc, char **argv) {
    cat c;
    memset(&c, 0, sizeof c);
    c.o = stdout;
    c.cur = UINT64_MAX;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            c.json = 1;
        } else if (strcmp(argv[i], "--bytes") == 0) {
            c.bytes = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "hdump cat: unknown option '%s'\n\n%s", argv[i], help);
            return CLI_USAGE;
        } else if (path == NULL) {
            path = argv[i];
        } else {
            fprintf(stderr, "hdump cat: more than one FILE\n\n%s", help);
            return CLI_USAGE;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "hdump cat: missing FILE\n\n%s", help);
        return CLI_USAGE;
    }
    hdump_reader_opts ro;
    hdump_reader_opts_init(&ro);
    ro.kernel = cli_kernel();
    if (c.bytes) {
        /* Every range is printed whole: a streaming input keeps it inline
         * (one record at a time, up to max_record_bytes). */
        ro.inline_max = UINT64_MAX;
        ro.limits.max_record_bytes = (uint64_t)1 << 32;
    } else {
        /* Long ranges are only hashed: memory stays the streaming buffer. */
        ro.on_range = on_range;
        ro.on_range_ctx = &c;
    }
    hdump_reader *r = cli_open(path, &ro);
    if (r == NULL) return CLI_USAGE;
    cli_progress pr;
    cli_progress_start(&pr, "cat", cli_input_size(path));
    if (isatty(1)) pr.on = 0; /* the records themselves show the progress */
    hdump_record rec;
    hdump_status st = hdump_reader_version(r, &c.v);
    int rc = CLI_OK;
    while (st >= 0) {
        st = hdump_reader_next(r, &rec);
        if (st < 0) break;
        put_record(&c, &rec);
        if (ferror(stdout)) {
            rc = CLI_USAGE; /* main reports the write error */
            break;
        }
        cli_progress_update(&pr, rec.index + 1, hdump_reader_offset(r));
        if (st == HDUMP_END) break;
    }
    cli_progress_end(&pr);
    if (st < 0) {
        fflush(stdout);
        if (c.nomem) {
            fprintf(stderr, "hdump cat: %s: out of memory\n", path);
            rc = CLI_USAGE;
        } else {
            cli_print_error(path, hdump_reader_error(r));
            rc = cli_error_exit(st);
        }
    }
    hdump_reader_free(r);
    free(c.st);
    return rc;
}
