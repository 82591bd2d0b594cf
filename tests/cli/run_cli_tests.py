#!/usr/bin/env python3
"""End-to-end tests of the hdump command-line tool (see tests/cli/README.md).

usage: run_cli_tests.py [--set-exact-output] [-v] HDUMP CLI_DIR CORPUS_DIR [PATTERN...]

HDUMP       the hdump binary
CLI_DIR     tests/cli (the cases are CLI_DIR/cases/**/<case>.cmd)
CORPUS_DIR  the directory with the gunzipped real dumps (<build>/corpus)
PATTERN     only run the cases whose name matches one of these fnmatch patterns

A case is a set of files next to each other, all named <case>.<what>:
  .cmd           required: one argv line, split like a shell would (shlex) but
                 never run by a shell.  $HDUMP, $CORPUS and $TMP are replaced.
  .files         optional: files to create in $TMP before the run, one per line:
                   NAME = PART [+ PART ...]
                 PART is `file PATH`, `head N PATH` (first N bytes),
                 `skip N PATH` (all but the first N bytes) or
                 `bytes "LITERAL"` (Python bytes escapes: \\n \\x80 ...).
  .setup         optional: argv lines (shlex, substituted like .cmd) run in
                 order after .files and before the command; each must exit 0
  .stdin         optional: one line, the path of a file fed on standard input
                 (default: empty standard input)
  .check         optional: argv lines run in order after the command (e.g.
                 `cmp A B`, `$HDUMP validate $TMP/out.dump`); each must exit 0
  .exit          optional: the expected exit code (default 0)
  .stdout.exact / .stderr.exact    the stream must equal the file's content
  .stdout.glob  / .stderr.glob     the stream must match the file's content as
                                   an fnmatch pattern (`*` also matches newlines)
A stream with no .exact / .glob file is not checked.  Before comparing, the
case's temporary directory, CORPUS_DIR and HDUMP are replaced by $TMP, $CORPUS
and $HDUMP in the outputs.

--set-exact-output rewrites every existing .exact file with what the command
printed (exit codes and .glob files are still checked, never rewritten).

Every *.dump in CORPUS_DIR must have a stats_json_<name> and a
validate_<name> case (so that "every real dump" stays true when one is added).

Prints one line per case and ends with "N passed, M failed"; exits 1 if any
case failed, 2 on usage errors.  Python 3 stdlib only.
"""
import codecs
import fnmatch
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 120


class CaseError(Exception):
    pass


def read_text(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def subst(s, env):
    # Longest names first is not needed: the tokens do not prefix each other.
    for k, v in env.items():
        s = s.replace("$" + k, v)
    return s


def read_path_arg(tok, env):
    return subst(tok, env)


def load_bytes(path):
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise CaseError("cannot read %s: %s" % (path, e))


def make_files(spec_path, env):
    """Creates the files a .files spec describes, in env["TMP"]."""
    for lineno, line in enumerate(read_text(spec_path).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        where = "%s:%d" % (os.path.basename(spec_path), lineno)
        name, sep, rest = line.partition("=")
        name = name.strip()
        if not sep or not name or "/" in name or name.startswith("."):
            raise CaseError("%s: want NAME = PART [+ PART ...]" % where)
        toks = shlex.split(rest)
        out = bytearray()
        parts, cur = [], []
        for t in toks:
            if t == "+":
                parts.append(cur)
                cur = []
            else:
                cur.append(t)
        parts.append(cur)
        for p in parts:
            try:
                if len(p) == 2 and p[0] == "file":
                    out += load_bytes(read_path_arg(p[1], env))
                elif len(p) == 3 and p[0] == "head":
                    out += load_bytes(read_path_arg(p[2], env))[:int(p[1])]
                elif len(p) == 3 and p[0] == "skip":
                    out += load_bytes(read_path_arg(p[2], env))[int(p[1]):]
                elif len(p) == 2 and p[0] == "bytes":
                    out += codecs.escape_decode(p[1].encode("latin-1"))[0]
                else:
                    raise ValueError("unknown part %r" % (p,))
            except ValueError as e:
                raise CaseError("%s: %s" % (where, e))
        with open(os.path.join(env["TMP"], name), "wb") as fh:
            fh.write(out)


def normalize(data, env):
    s = data.decode("utf-8", "backslashreplace")
    # Replace the most specific paths first ($TMP lives outside $CORPUS).
    for k in ("TMP", "CORPUS", "HDUMP"):
        if env[k]:
            s = s.replace(env[k], "$" + k)
    return s


def first_diff(got, want):
    g, w = got.splitlines(True), want.splitlines(True)
    for i in range(max(len(g), len(w))):
        a = g[i] if i < len(g) else "<end>"
        b = w[i] if i < len(w) else "<end>"
        if a != b:
            if len(a) > 100 or len(b) > 100:  # long line: show around the first difference
                c = next((j for j in range(min(len(a), len(b))) if a[j] != b[j]),
                         min(len(a), len(b)))
                a, b = a[max(0, c - 40):c + 40], b[max(0, c - 40):c + 40]
                return "line %d, column %d: got ...%r..., want ...%r..." % (i + 1, c + 1, a, b)
            return "line %d: got %r, want %r" % (i + 1, a, b)
    return "?"


def run_steps(path, env, what, verbose):
    """Runs the argv lines of a .setup or .check file; returns problems."""
    problems = []
    for lineno, line in enumerate(read_text(path).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        argv = [subst(t, env) for t in shlex.split(line)]
        if verbose:
            print("   %s$ %s" % (what, " ".join(shlex.quote(a) for a in argv)))
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=TIMEOUT,
                               env=dict(os.environ, LC_ALL="C", LANG="C"))
        except subprocess.TimeoutExpired:
            problems.append("%s line %d: timed out after %d s" % (what, lineno, TIMEOUT))
            break
        except OSError as e:
            problems.append("%s line %d: cannot run %s: %s" % (what, lineno, argv[0], e))
            break
        if p.returncode != 0:
            out = normalize(p.stdout + p.stderr, env).strip()
            problems.append("%s line %d (%s): exit code %d%s" % (
                what, lineno, line, p.returncode, (": " + out[:300]) if out else ""))
            break
    return problems


def run_case(base, name, env, set_exact, verbose):
    """Returns a list of problems (empty = pass)."""
    problems = []
    argv = [subst(t, env) for t in shlex.split(read_text(base + ".cmd"))]
    if not argv:
        raise CaseError("empty .cmd")
    if os.path.exists(base + ".files"):
        make_files(base + ".files", env)
    if os.path.exists(base + ".setup"):
        problems = run_steps(base + ".setup", env, "setup", verbose)
        if problems:
            return problems
    stdin = b""
    if os.path.exists(base + ".stdin"):
        stdin = load_bytes(subst(read_text(base + ".stdin").strip(), env))
    want_exit = 0
    if os.path.exists(base + ".exit"):
        want_exit = int(read_text(base + ".exit").strip())
    if verbose:
        print("   $ %s" % " ".join(shlex.quote(a) for a in argv))
    try:
        p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT,
                           env=dict(os.environ, LC_ALL="C", LANG="C"))
    except subprocess.TimeoutExpired:
        return ["timed out after %d s" % TIMEOUT]
    except OSError as e:
        return ["cannot run %s: %s" % (argv[0], e)]
    if p.returncode != want_exit:
        problems.append("exit code %d, want %d" % (p.returncode, want_exit))
    for stream, data in (("stdout", p.stdout), ("stderr", p.stderr)):
        got = normalize(data, env)
        exact, glob = base + "." + stream + ".exact", base + "." + stream + ".glob"
        if os.path.exists(exact):
            if set_exact:
                with open(exact, "w", encoding="utf-8", newline="") as fh:
                    fh.write(got)
            else:
                want = read_text(exact)
                if got != want:
                    problems.append("%s differs from %s: %s" % (
                        stream, os.path.basename(exact), first_diff(got, want)))
        if os.path.exists(glob):
            pat = read_text(glob)
            if not fnmatch.fnmatchcase(got, pat):
                problems.append("%s does not match %s: got %r" % (
                    stream, os.path.basename(glob), got[:300]))
    if os.path.exists(base + ".check"):
        problems += run_steps(base + ".check", env, "check", verbose)
    return problems


def main(argv):
    set_exact = verbose = False
    args = []
    for a in argv:
        if a == "--set-exact-output":
            set_exact = True
        elif a in ("-v", "--verbose"):
            verbose = True
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        else:
            args.append(a)
    if len(args) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    hdump, cli_dir, corpus = (os.path.abspath(a) for a in args[:3])
    patterns = args[3:]
    cases_dir = os.path.join(cli_dir, "cases")
    if not os.access(hdump, os.X_OK):
        print("run_cli_tests: %s is not an executable" % hdump, file=sys.stderr)
        return 2
    if not os.path.isdir(corpus):
        print("run_cli_tests: %s is not a directory" % corpus, file=sys.stderr)
        return 2

    cases = []
    for root, dirs, files in os.walk(cases_dir):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".cmd"):
                base = os.path.join(root, f[:-len(".cmd")])
                cases.append((os.path.relpath(base, cases_dir), base))
    cases.sort()
    if patterns:
        cases = [c for c in cases if any(fnmatch.fnmatchcase(c[0], p) for p in patterns)]

    passed = failed = 0
    tmp_root = tempfile.mkdtemp(prefix="hdump-cli-")
    try:
        # Coverage: every real dump has its stats --json and validate case.
        if not patterns:
            names = {os.path.basename(c[0]) for c in cases}
            dumps = sorted(f[:-len(".dump")] for f in os.listdir(corpus) if f.endswith(".dump"))
            if not dumps:
                print("FAIL: corpus: no *.dump in %s" % corpus)
                failed += 1
            for d in dumps:
                missing = [c for c in ("stats_json_" + d, "validate_" + d) if c not in names]
                if missing:
                    print("FAIL: corpus: %s.dump has no case %s" % (d, ", ".join(missing)))
                    failed += 1
        for name, base in cases:
            tmp = os.path.join(tmp_root, name.replace(os.sep, "_"))
            os.makedirs(tmp)
            env = {"HDUMP": hdump, "CORPUS": corpus, "TMP": tmp}
            try:
                problems = run_case(base, name, env, set_exact, verbose)
            except (CaseError, OSError, ValueError) as e:
                problems = ["bad case: %s" % e]
            if problems:
                failed += 1
                print("FAIL: %s" % name)
                for pr in problems:
                    print("      %s" % pr)
            else:
                passed += 1
                print("PASS: %s" % name)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    if set_exact:
        print("(.exact files rewritten from this run's output)")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
