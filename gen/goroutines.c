/* gen/goroutines.c: goroutines, their stacks of frames, defers and panics.
 * Frames follow their goroutine with depths 0, 1, 2 ...; frame d's sp is
 * frame d-1's sp plus its size, and its child sp is frame d-1's sp (the
 * callee's), 0 at depth 0 (docs/format.md §4 tags 4, 5, 14, 15). */
#include <stdio.h>
#include <string.h>

#include "gen_internal.h"

static const char *const funcs[] = {
    "main.worker",       "main.(*server).handle", "net/http.(*conn).serve", "sync.(*Mutex).Lock",
    "runtime.chanrecv1", "runtime.selectgo",      "time.Sleep",             "main.process",
    "io.ReadFull",       "bufio.(*Reader).Read",  "encoding/json.Unmarshal", "main.main"};
#define NFUNCS (sizeof funcs / sizeof funcs[0])

static const char *const reasons[] = {"chan receive", "select", "sleep", "sync.Mutex.Lock",
                                      "IO wait", "GC worker (idle)", "semacquire"};

static uint64_t stack_lo(uint64_t gi) { return GEN_STACKS + gi * GEN_STACK_SIZE; }
static uint64_t g_addr(uint64_t gi) { return GEN_GS + gi * 0x200; }
static uint64_t defer_addr(uint64_t gi, uint64_t k) { return stack_lo(gi) + 0xe000 + k * 0x40; }
static uint64_t panic_addr(uint64_t gi) { return stack_lo(gi) + 0xf000; }

void hdi_gen_goroutine_plan(hdump_gen *g, uint64_t gi) {
    uint64_t r = gen_rand(&g->rng);
    int many = g->o.profile == HDUMP_GEN_GOROUTINES;
    g->g_frames = many ? 4 + r % (GEN_MAX_FRAMES - 4) : 1 + r % 10;
    uint32_t maxlen = many ? 512 : 1024;
    g->frame_sp[0] = stack_lo(gi) + 0x100;
    for (uint64_t d = 0; d < g->g_frames; d++) {
        g->frame_len[d] = (uint32_t)(16 + 8 * (gen_rand(&g->rng) % (maxlen / 8 - 1)));
        g->frame_sp[d + 1] = g->frame_sp[d] + g->frame_len[d];
    }
    g->g_defers = (gi % (many ? 3 : 7) == 1) ? 1 + (r >> 8) % 3 : 0;
    g->g_panics = (gi % (many ? 5 : 13) == 2) ? 1 : 0;
}

hdump_status hdi_gen_goroutine_record(hdump_gen *g, hdump_record *rec, uint64_t gi) {
    hdump_goroutine *G = &rec->u.goroutine;
    uint64_t r = gen_rand(&g->rng);
    G->addr = g_addr(gi);
    G->sp = g->frame_sp[0];
    G->goid = gi + 1;
    G->gopc = GEN_TEXT + (r % NFUNCS) * 0x40 + 0x1c;
    /* The runtime writes 1 runnable, 3 syscall or 4 waiting. */
    uint64_t s = (r >> 8) % 10;
    G->status = s < 7 ? 4 : s < 9 ? 1 : 3;
    G->is_system = gi < 4;
    G->is_background = 0;
    G->wait_since = G->status == 4 ? (r >> 16) % 1000000 : 0;
    const char *why = G->status == 4 ? reasons[(r >> 24) % (sizeof reasons / sizeof reasons[0])] : "";
    snprintf(g->names[0], sizeof g->names[0], "%s", why);
    G->wait_reason.ptr = (const uint8_t *)g->names[0];
    G->wait_reason.len = strlen(g->names[0]);
    G->ctxt = (r >> 32) % 4 == 0 ? hdi_gen_target(g, 0, 0) : 0;
    G->m = G->status != 4 ? GEN_MS + ((r >> 40) % g->nthreads) * 0x400 : 0;
    G->top_defer = g->g_defers ? defer_addr(gi, 0) : 0;
    G->top_panic = g->g_panics ? panic_addr(gi) : 0;
    return HDUMP_OK;
}

hdump_status hdi_gen_frame(hdump_gen *g, hdump_record *rec, uint64_t gi, uint64_t d) {
    (void)gi;
    hdump_stackframe *f = &rec->u.frame;
    uint64_t r = gen_rand(&g->rng);
    int last = d + 1 == g->g_frames;
    size_t fn = last ? NFUNCS : (size_t)(r % NFUNCS);
    f->sp = g->frame_sp[d];
    f->depth = d;
    f->child_sp = d ? g->frame_sp[d - 1] : 0;
    uint64_t len = g->frame_len[d];
    hdi_gen_noise(g, g->buf, len);
    HDI_TRY(hdi_gen_fill(g, g->buf, f->sp, len, 0, 1, &f->fields));
    /* Frame contents are the stack bytes [sp, sp + len). */
    f->contents.ptr = g->buf;
    f->contents.len = len;
    f->entry_pc = GEN_TEXT + (uint64_t)fn * 0x40;
    f->pc = f->entry_pc + 8 + (r >> 8) % 0x30;
    f->cont_pc = f->pc;
    snprintf(g->names[1], sizeof g->names[1], "%s", last ? "runtime.goexit" : funcs[fn]);
    f->name.ptr = (const uint8_t *)g->names[1];
    f->name.len = strlen(g->names[1]);
    return HDUMP_OK;
}

void hdi_gen_defer(hdump_gen *g, hdump_record *rec, uint64_t gi, uint64_t k) {
    hdump_defer *d = &rec->u.defer;
    uint64_t r = gen_rand(&g->rng);
    d->addr = defer_addr(gi, k);
    d->g = g_addr(gi);
    d->argp = g->frame_sp[1 < g->g_frames ? 1 : 0];
    d->pc = GEN_TEXT + (r % NFUNCS) * 0x40 + 0x20;
    d->fn = GEN_FUNCVALS + 0x1000 + (r >> 8) % 64 * 16;
    /* Go >= 1.14 writes 0 for a nil fn (golang/go#35172). */
    d->fn_pc = (r >> 16) % 4 ? GEN_TEXT + ((r >> 20) % NFUNCS) * 0x40 : 0;
    d->link = k + 1 < g->g_defers ? defer_addr(gi, k + 1) : 0;
}

void hdi_gen_panic(hdump_gen *g, hdump_record *rec, uint64_t gi) {
    hdump_panic *p = &rec->u.panic;
    uint64_t r = gen_rand(&g->rng);
    p->addr = panic_addr(gi);
    p->g = g_addr(gi);
    p->arg_type = GEN_TYPES + (r % GEN_NTYPES) * 0x60;
    p->arg_data = hdi_gen_target(g, 0, 0);
    p->defer = g->g_defers ? defer_addr(gi, 0) : 0;
    p->link = 0;
}
