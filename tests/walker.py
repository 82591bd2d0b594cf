#!/usr/bin/env python3
"""Independent walker for Go heap dumps (runtime/debug.WriteHeapDump).

Written from the per-version field table in format-notes.md §4 (headers
go1.3 ... go1.7).  Walks every record to EOF and prints a summary; --json
prints the summary as JSON.  Exits non-zero with the byte offset (in the
uncompressed stream) on truncation, a bad varint, an unknown tag, a bad
header or data after EOF.  Python 3 stdlib only.

--expect FILE.json compares "records" and "field_kinds" of the (single) dump
with FILE.json (e.g. corpus/real/old/*.expected.json); exit 1 on mismatch.

usage: walker.py [--json] [--expect FILE.json] DUMP [DUMP...]  (.gz accepted)
"""
import gzip
import json
import sys
import zlib

TAGS = ["eof", "object", "otherroot", "type", "goroutine", "stackframe",
        "params", "finalizer", "itab", "osthread", "memstats",
        "queuedfinalizer", "data", "bss", "defer", "panic", "memprof",
        "allocsample"]
VERSIONS = {("go1.%d heap dump\n" % v).encode(): "go1.%d" % v for v in range(3, 8)}
# runtime.MemStats order: 24 scalars, PauseNs[256], NumGC = 281 uvarints.
MEMSTAT_NAMES = {"alloc": 0, "mallocs": 4, "frees": 5, "heap_alloc": 6,
                 "heap_objects": 11}
N_MEMSTATS = 24 + 256 + 1


class DumpError(Exception):
    def __init__(self, offset, msg):
        super().__init__("offset %d: %s" % (offset, msg))


class Walker:
    def __init__(self, data, on_record=None):
        self.d = data
        self.pos = 0
        self.on_record = on_record  # optional callback(tag_name, fields, start)
        self.records = {t: 0 for t in TAGS}
        self.field_kinds = {}
        self.object_bytes = 0
        self.memstats = None
        self.params = None

    # ---- primitives ----
    def u(self):
        start, x, shift = self.pos, 0, 0
        while True:
            if self.pos >= len(self.d):
                raise DumpError(start, "truncated uvarint")
            b = self.d[self.pos]
            self.pos += 1
            if shift == 63 and b > 1:  # 10th byte may only add bit 63
                raise DumpError(start, "uvarint overflows 64 bits")
            x |= (b & 0x7F) << shift
            if b < 0x80:
                return x
            shift += 7

    def b(self):
        start, v = self.pos, self.u()
        if v > 1:
            raise DumpError(start, "bool is %d, want 0 or 1" % v)
        return v

    def s(self):
        start, n = self.pos, self.u()
        if n > len(self.d) - self.pos:
            raise DumpError(start, "string of length %d runs past end of data "
                            "(%d bytes left)" % (n, len(self.d) - self.pos))
        v = self.d[self.pos:self.pos + n]
        self.pos += n
        return v

    def fields(self):
        """Field list: (kind, offset) pairs ended by kind 0 without offset."""
        out = []
        while True:
            kind = self.u()
            if kind == 0:
                return out
            out.append((kind, self.u()))
            self.field_kinds[kind] = self.field_kinds.get(kind, 0) + 1

    def us(self, n):
        return [self.u() for _ in range(n)]

    # ---- records ----
    def record(self, v):
        """Read one record; returns its tag name."""
        start = self.pos
        if start == len(self.d):
            raise DumpError(start, "data ends without an EOF record")
        tag = self.u()
        if tag >= len(TAGS):
            raise DumpError(start, "unknown record tag %d" % tag)
        name = TAGS[tag]
        u, s, b, F = self.u, self.s, self.b, self.fields
        if name == "eof":
            f = []
        elif name == "object":
            if v == "go1.3":  # addr, type addr, kind, contents
                f = [u(), u(), u(), s()]
            else:             # addr, contents, fieldlist
                f = [u(), s(), F()]
            self.object_bytes += len(f[-1] if v == "go1.3" else f[1])
        elif name == "otherroot":
            f = [s(), u()]
        elif name == "type":  # addr, size, name, iface-data-is-ptr [, F]
            f = [u(), u(), s(), b()] + ([F()] if v == "go1.3" else [])
        elif name == "goroutine":
            # G, sp, goid, gopc, status, system, background, waitsince,
            # waitreason, ctxt, M, top defer, top panic
            f = [u(), u(), u(), u(), u(), b(), b(), u(), s(), u(), u(), u(), u()]
        elif name == "stackframe":
            # sp, depth, child sp, contents, entry pc, pc, continpc, name, F
            f = [u(), u(), u(), s(), u(), u(), u(), s(), F()]
        elif name == "params":
            f = [b(), u()]                           # bigendian, ptrsize
            if v == "go1.3":
                f.append(u())                        # chan header size
            f += [u(), u()]                          # heap start, heap end
            f.append(s() if v == "go1.7" else u())   # GOARCH / thechar
            f += [s(), u()]                          # GOEXPERIMENT|buildVersion, ncpu
            arch = f[-3].decode("latin-1") if v == "go1.7" else f[-3]
            self.params = {"bigendian": f[0], "ptrsize": f[1],
                           "heap_start": f[-5], "heap_end": f[-4], "arch": arch,
                           "experiment": f[-2].decode("latin-1"), "ncpu": f[-1]}
            if v == "go1.3":
                self.params["chan_header_size"] = f[2]
        elif name in ("finalizer", "queuedfinalizer"):
            f = self.us(5)  # obj, FuncVal, fn entry pc, fint, ot
        elif name == "itab":
            f = [u(), b()] if v == "go1.3" else [u(), u()]
        elif name == "osthread":
            f = self.us(3)  # M, id, procid
        elif name == "memstats":
            f = self.us(N_MEMSTATS)
            if self.memstats is None:
                self.memstats = {k: f[i] for k, i in MEMSTAT_NAMES.items()}
        elif name in ("data", "bss"):
            f = [u(), s(), F()]
        elif name == "defer":
            f = self.us(7)  # addr, G, argp/sp, pc, FuncVal, fn entry, link
        elif name == "panic":
            f = self.us(6)  # addr, G, arg type, arg data, defer, link
        elif name == "memprof":
            f = [u(), u()]  # bucket, size
            f.append([(s(), s(), u()) for _ in range(u())])  # func, file, line
            f += [u(), u()]  # allocs, frees
        elif name == "allocsample":
            f = self.us(2)  # obj, bucket
        self.records[name] += 1
        if self.on_record:
            self.on_record(name, f, start)
        return name

    def walk(self):
        hdr = self.d[:16]
        if hdr not in VERSIONS:
            raise DumpError(0, "bad header %r" % hdr)
        v = VERSIONS[hdr]
        self.pos = 16
        while self.record(v) != "eof":
            pass
        if self.pos != len(self.d):
            raise DumpError(self.pos, "%d bytes of data after EOF record"
                            % (len(self.d) - self.pos))
        return {
            "version": v,
            "bytes": len(self.d),
            "records": self.records,
            "field_kinds": {str(k): c for k, c in sorted(self.field_kinds.items())},
            "object_bytes": self.object_bytes,
            "memstats": self.memstats,
            "params": self.params,
        }


def load(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    if path.endswith(".gz") or raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DumpError(0, "gzip: %s" % e)
    return raw


def main(argv):
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    expect = None
    if "--expect" in argv and argv.index("--expect") + 1 < len(argv):
        i = argv.index("--expect")
        with open(argv[i + 1]) as fh:
            expect = json.load(fh)
        argv = argv[:i] + argv[i + 2:]
    paths = argv
    if not paths:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    results = {}
    for p in paths:
        try:
            results[p] = Walker(load(p)).walk()
        except DumpError as e:
            print("walker: %s: %s" % (p, e), file=sys.stderr)
            return 1
        if not as_json:
            r = results[p]
            nz = " ".join("%s=%d" % kv for kv in r["records"].items() if kv[1])
            print("%s: %s, %d bytes, %s" % (p, r["version"], r["bytes"], nz))
        for key in ("records", "field_kinds") if expect else ():
            if expect[key] != results[p][key]:
                print("walker: %s: %s differ from expected: got %s, want %s" % (
                    p, key, results[p][key], expect[key]), file=sys.stderr)
                return 1
    if as_json:
        out = results[paths[0]] if len(paths) == 1 else results
        print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
