#!/usr/bin/env python3
"""tests/cli/stats_threads.py HDUMP CORPUS_DIR: `hdump stats --threads N`
(hdump_scan_mem) prints exactly what `--threads 1` (the single reader) does:
stdout, stderr and exit code, text and --json, for N = 2, 3 and 8.

Inputs: every committed real dump (1 or 2 parts: they are under 4 MB), two
generated dumps of 16+ parts (go1.7 mixed, go1.3 goroutines: go1.3's objects
take the reader's table walk), and damaged copies of the generated go1.7 dump:
truncated at several places, bytes changed at several places, a byte after
the EOF record. Prints "N passed, M failed"; exit 1 on any difference."""
import os
import random
import subprocess
import sys
import tempfile

hdump, corpus = sys.argv[1], sys.argv[2]
env = dict(os.environ, LC_ALL="C")
passed = failed = 0


def run(args):
    p = subprocess.run([hdump] + args, capture_output=True, env=env)
    return p.returncode, p.stdout, p.stderr


def compare(name, path):
    global passed, failed
    for extra in ([], ["--json", "--top", "50"], ["--top", "0"]):
        want = run(["stats", "--threads", "1"] + extra + [path])
        for n in ("2", "3", "8"):
            got = run(["stats", "--threads", n] + extra + [path])
            if got == want:
                passed += 1
            else:
                failed += 1
                print("FAIL: %s %s --threads %s: exit %d vs %d\n  stdout: %r\n  vs     %r\n"
                      "  stderr: %r\n  vs     %r" % (name, " ".join(extra), n, got[0], want[0],
                                                   got[1][:300], want[1][:300], got[2][:300],
                                                   want[2][:300]))


with tempfile.TemporaryDirectory() as tmp:
    for f in sorted(os.listdir(corpus)):
        if f.endswith(".dump"):
            compare(f, os.path.join(corpus, f))
    gens = []
    for name, args in (("mixed", ["--profile", "mixed", "--objects", "150000"]),
                       ("go13", ["--profile", "goroutines", "--objects", "120000",
                                 "--format", "go1.3"])):
        out = os.path.join(tmp, name + ".dump")
        rc, _, err = run(["gen"] + args + ["-o", out])
        if rc != 0:
            print("FAIL: hdump gen %s: %s" % (name, err.decode(errors="replace")))
            failed += 1
            continue
        gens.append(out)
        compare(name, out)
    # the scan's parts must be several for this test to mean anything
    if gens and os.path.getsize(gens[0]) < 16 << 20:
        print("FAIL: the generated dump is too small to be cut into 16 parts")
        failed += 1
    if gens:
        data = open(gens[0], "rb").read()
        rnd = random.Random(4)
        cases = []
        for i in range(6):
            cases.append(("truncated %d" % i, data[:rnd.randrange(16, len(data))]))
        for i in range(10):
            d = bytearray(data)
            at = rnd.randrange(16, len(d))
            d[at] ^= 1 << rnd.randrange(8)
            cases.append(("byte %d changed" % at, bytes(d)))
        cases.append(("byte after EOF", data + b"\x00"))
        for name, d in cases:
            p = os.path.join(tmp, "bad.dump")
            with open(p, "wb") as f:
                f.write(d)
            compare(name, p)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
