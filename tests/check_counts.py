#!/usr/bin/env python3
"""Cross-check `hdump stats --json` against the independent walker.

usage: check_counts.py HDUMP WALKER.py DUMP CORPUS_REAL_DIR

DUMP is one real dump (plain or .gz); CORPUS_REAL_DIR is corpus/real in the
source tree (for old/<name>.expected.json).  Checks, one line each:

  * hdump and the walker agree on version, bytes and all 18 record counts;
    hdump's record_bytes add up to bytes - 16 (the header);
  * if corpus/real/old/<name>.expected.json exists: the walker's records and
    field_kinds equal it (and its file_bytes equals bytes);
  * MemStats (corpus/real/README.md, "Objects vs MemStats"):
      Go <= 1.21 (the go1.19.8 dumps and the go1.3-go1.6 rewrites of the
      go1.19.8 sample): object count == HeapObjects, object bytes ==
      HeapAlloc == Alloc;
      Go >= 1.22 (go1.23.5): object count > HeapObjects and object bytes >
      HeapAlloc (phantom objects, format-notes.md 5.10); the difference is
      printed.
    The Go release comes from the params build version ("go1.19.8") when it
    has one, else from the file name (the rewrites have GOEXPERIMENT "").

Ends with "N passed, M failed"; exit 1 if any check failed, 2 on usage errors.
Python 3 stdlib only.
"""
import json
import os
import re
import subprocess
import sys

TAGS = ["eof", "object", "otherroot", "type", "goroutine", "stackframe",
        "params", "finalizer", "itab", "osthread", "memstats",
        "queuedfinalizer", "data", "bss", "defer", "panic", "memprof",
        "allocsample"]
HEADER_SIZE = 16


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print("%s: %s%s" % ("PASS" if ok else "FAIL", what,
                            (" (%s)" % detail) if detail else ""))
        return ok

    def eq(self, what, got, want):
        if got == want:  # show short values only
            return self.check(True, what, "%r" % (got,) if len(repr(got)) <= 40 else "")
        return self.check(False, what, "got %r, want %r" % (got, want))


def run_json(argv, who):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        return None, "%s exited %d: %s" % (who, p.returncode,
                                           p.stderr.decode("utf-8", "replace").strip())
    try:
        return json.loads(p.stdout.decode("utf-8")), None
    except ValueError as e:
        return None, "%s printed invalid JSON: %s" % (who, e)


def dump_name(path):
    base = os.path.basename(path)
    for ext in (".gz", ".dump"):
        if base.endswith(ext):
            base = base[:-len(ext)]
    return base


def go_release(walk, name):
    """(major, minor, source) of the Go release that wrote the dump, or None."""
    params = walk.get("params") or {}
    m = re.match(r"go(\d+)\.(\d+)", params.get("experiment") or "")
    if m:
        return int(m.group(1)), int(m.group(2)), "params build version %r" % params["experiment"]
    # go1.3-go1.6 rewrites: "sample_go1.19.8_as_go1.3" -> the first goX.Y.
    m = re.search(r"go(\d+)\.(\d+)", name)
    if m:
        return int(m.group(1)), int(m.group(2)), "file name"
    return None


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    hdump, walker, dump, real_dir = argv
    name = dump_name(dump)
    c = Checker()
    print("== %s" % name)

    stats, err = run_json([hdump, "stats", "--json", dump], "hdump stats --json")
    c.check(stats is not None, "hdump stats --json runs", err or "")
    walk, err = run_json([sys.executable, walker, "--json", dump], "walker")
    c.check(walk is not None, "walker --json runs", err or "")

    if stats is not None and walk is not None:
        c.eq("version", stats.get("version"), walk["version"])
        c.eq("bytes", stats.get("bytes"), walk["bytes"])
        srec = stats.get("records", {})
        c.eq("hdump reports exactly the 18 tags", sorted(srec), sorted(TAGS))
        for t in TAGS:
            c.eq("records.%s" % t, srec.get(t), walk["records"][t])
        rb = stats.get("record_bytes", {})
        if c.eq("hdump record_bytes has the 18 tags", sorted(rb), sorted(TAGS)):
            c.eq("sum(record_bytes) + header == bytes",
                 sum(rb.values()) + HEADER_SIZE, stats.get("bytes"))

    if walk is not None:
        exp_path = os.path.join(real_dir, "old", name + ".expected.json")
        if os.path.exists(exp_path):
            with open(exp_path) as fh:
                exp = json.load(fh)
            c.eq("walker records == %s" % os.path.relpath(exp_path, real_dir),
                 walk["records"], exp["records"])
            c.eq("walker field_kinds == %s" % os.path.relpath(exp_path, real_dir),
                 walk["field_kinds"], exp["field_kinds"])
            if "file_bytes" in exp:
                c.eq("expected file_bytes == bytes", walk["bytes"], exp["file_bytes"])
        else:
            print("note: no old/%s.expected.json" % name)

        ms = walk.get("memstats")
        rel = go_release(walk, name)
        nobj, obytes = walk["records"]["object"], walk["object_bytes"]
        if not c.check(ms is not None, "memstats record present"):
            pass
        elif rel is None:
            print("note: Go release unknown (no build version, none in the file name);"
                  " MemStats checks skipped")
        elif rel[:2] <= (1, 21):
            print("note: Go %d.%d (from %s): objects must match MemStats exactly"
                  % (rel[0], rel[1], rel[2]))
            c.eq("object count == HeapObjects", nobj, ms["heap_objects"])
            c.eq("object bytes == HeapAlloc", obytes, ms["heap_alloc"])
            c.eq("HeapAlloc == Alloc", ms["heap_alloc"], ms["alloc"])
        else:
            print("note: Go %d.%d (from %s): phantom objects expected (format-notes 5.10)"
                  % (rel[0], rel[1], rel[2]))
            c.check(nobj > ms["heap_objects"], "object count > HeapObjects",
                    "%d - %d = %d phantom objects" % (nobj, ms["heap_objects"],
                                                      nobj - ms["heap_objects"]))
            c.check(obytes > ms["heap_alloc"], "object bytes > HeapAlloc",
                    "%d - %d = %d phantom bytes" % (obytes, ms["heap_alloc"],
                                                   obytes - ms["heap_alloc"]))

    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
