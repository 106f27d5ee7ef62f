#!/usr/bin/env python3
"""Runs `mmtriage report -f json` on syzkaller's kernel reports and checks the
kinds and culprits against syzkaller's expected titles.

Each file under syzkaller/linux/report starts with headers (TITLE:, TYPE:, ...)
and a blank line, then the console log. A file whose TITLE is absent or empty
must not crash mmtriage but need not yield a report.

Checks:
  - every file: exit status 0 or 1 within the timeout, valid JSON when 0;
  - where syzkaller found a report of a kind mmtriage knows, a report of that
    kind is found (all of them, or the test fails);
  - where the title names a function ("... in FUNC"), the culprit of that
    report agrees on at least MIN_AGREEMENT of the files.
Prints the figures and every disagreement, so that they can be reviewed.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

MIN_AGREEMENT = 0.80
TIMEOUT = 30

# Title prefixes, most specific first, and the kind mmtriage gives them.
KINDS = [
    ("INFO: task hung", "hung_task"),
    ("INFO: rcu detected stall", "rcu_stall"),
    ("INFO: rcu_", "rcu_stall"),
    ("BUG: soft lockup", "soft_lockup"),
    ("possible deadlock", "lockdep"),
    ("inconsistent lock state", "lockdep"),
    ("WARNING: possible circular", "lockdep"),
    ("WARNING: possible recursive", "lockdep"),
    ("WARNING: locking bug", "lockdep"),
    ("WARNING: nested lock", "lockdep"),
    ("WARNING: bad unlock balance", "lockdep"),
    ("WARNING: held lock freed", "lockdep"),
    ("WARNING: suspicious RCU usage", "lockdep"),
    ("INFO: suspicious RCU usage", "lockdep"),
    ("INFO: trying to register non-static key", "lockdep"),
    ("BUG: bad unlock balance", "lockdep"),
    ("BUG: held lock freed", "lockdep"),
    ("BUG: lock held when returning", "lockdep"),
    ("WARNING: lock held when returning", "lockdep"),
    ("BUG: still has locks held", "lockdep"),
    ("BUG: MAX_LOCKDEP", "lockdep"),
    ("WARNING: still has locks held", "lockdep"),
    ("KASAN:", "kasan"),
    ("KMSAN:", "kmsan"),
    ("KCSAN:", "kcsan"),
    ("KFENCE:", "kfence"),
    ("UBSAN:", "ubsan"),
    ("memory leak", "memory_leak"),
    ("general protection fault", "oops"),
    ("BUG: unable to handle", "oops"),
    ("unable to handle kernel", "oops"),
    ("stack segment fault", "oops"),
    ("divide error", "oops"),
    ("PANIC: double fault", "oops"),
    ("BUG: stack guard page", "oops"),
    ("invalid opcode", "oops"),
    ("kernel panic:", "panic"),
    ("kernel BUG", "bug"),
    ("BUG: corrupted list", "bug"),
    ("BUG: bad usercopy", "bug"),
    ("BUG:", "bug"),
    ("WARNING", "warning"),
]

# Files whose title mmtriage disagrees with on purpose, and why.
DISAGREE = {
    # syzkaller's test of its rule that any "WARNING:" line is a report; the
    # line says no place (" at "), and a WARN() always does: mmtriage reads
    # such lines as messages (pr_warn("WARNING: ..."), crash's own warnings).
    "6": "WARNING: foo",
}

NOT_KERNEL = ("unexpected kernel reboot", "go runtime error", "trusty:",
              "SYZFAIL", "lost connection", "no output", "suppressed")

SYSCALL_PREFIXES = ("__x64_sys_", "__ia32_sys_", "__se_sys_", "__do_sys_", "SyS_",
                    "SYSC_", "__arm64_sys_", "compat_SyS_", "compat_SYSC_")


def expected_kind(title):
    if not title or title.startswith(NOT_KERNEL) or " corrupted" in title[-10:]:
        return None
    for prefix, kind in KINDS:
        if title.startswith(prefix) or (prefix.endswith(":") is False and prefix in title):
            return kind
    return None


def title_function(title):
    m = re.search(r" in ([A-Za-z0-9_.]+)$", title)
    if not m or m.group(1) in ("corrupted",):
        return None
    return m.group(1)


def canonical(sym):
    """Names compared as syzkaller writes them: without compiler suffixes,
    syscalls as sys_NAME, every synchronize_* as synchronize_rcu and every
    smp_call_function* as smp_call_function (syzkaller files hangs in any
    grace-period wait, and stalls in any cross-CPU call, under one name)."""
    if sym is None:
        return None
    sym = re.sub(r"(\.(constprop|isra|part|cold|llvm)(\.\d+)?)+$", "", sym)
    for p in SYSCALL_PREFIXES:
        if sym.startswith(p):
            return "sys_" + sym[len(p):]
    if sym.startswith("synchronize_"):
        return "synchronize_rcu"
    if sym.startswith("smp_call_function"):
        return "smp_call_function"
    return sym


def split_file(path):
    """Headers (a key may repeat: ALT) and the console log after the blank line."""
    with open(path, "rb") as f:
        data = f.read()
    head, _, body = data.partition(b"\n\n")
    headers = {}
    for line in head.decode("utf-8", "replace").splitlines():
        k, _, v = line.partition(":")
        headers.setdefault(k.strip(), []).append(v.strip())
    return headers, body


def run(mmt, body, tmp):
    log = os.path.join(tmp, "console.log")
    with open(log, "wb") as f:
        f.write(body)
    try:
        p = subprocess.run([mmt, "report", "-f", "json", "--lenient",
                            "--as", "kernel_log", log],
                           capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "timeout", None
    if p.returncode not in (0, 1) or p.returncode < 0:
        return "exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[-300:]), None
    if p.returncode == 1:
        return None, {"reports": [], "findings": []}
    try:
        return None, json.loads(p.stdout)
    except ValueError as e:
        return "bad JSON: %s" % e, None


def main():
    mmt, corpus = sys.argv[1], sys.argv[2]
    files = sorted(os.listdir(corpus), key=lambda s: (len(s), s))
    failures, kind_total, kind_ok, fn_total, fn_ok = [], 0, 0, 0, 0
    missed, disagree = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            headers, body = split_file(os.path.join(corpus, name))
            title = headers.get("TITLE", [""])[0]
            titles = [title] + headers.get("ALT", [])
            problem, doc = run(mmt, body, tmp)
            if problem:
                failures.append("%s: %s" % (name, problem))
                continue
            for f in doc["findings"]:
                for what, items in f["subjects"].items():
                    seen = [json.dumps(x, sort_keys=True) for x in items]
                    if len(seen) != len(set(seen)):
                        failures.append("%s: finding %s lists a %s subject twice" % (
                            name, f["id"], what))
            kind = expected_kind(title)
            if not kind or DISAGREE.get(os.path.basename(name)) == title:
                continue
            kind_total += 1
            reports = [r for r in doc["reports"] if r["kind"] == kind]
            if not reports:
                missed.append("%s: expected %s for %r; found %s" % (
                    name, kind, title, sorted({r["kind"] for r in doc["reports"]})))
                continue
            kind_ok += 1
            fns = [canonical(f) for f in map(title_function, titles) if f]
            if not title_function(title):
                continue
            fn_total += 1
            ours = canonical(reports[0]["culprit"])
            if ours in fns:
                fn_ok += 1
            else:
                disagree.append("%s: %r -> %s" % (name, title, ours))
    print("files: %d, crashes/timeouts: %d" % (len(files), len(failures)))
    print("kind found: %d of %d" % (kind_ok, kind_total))
    print("culprit agrees: %d of %d (%.1f%%)" % (fn_ok, fn_total,
                                                 100.0 * fn_ok / max(fn_total, 1)))
    for line in failures + missed:
        print("FAIL", line)
    for line in disagree:
        print("DIFF", line)
    ok = not failures and not missed and fn_ok >= MIN_AGREEMENT * fn_total
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
