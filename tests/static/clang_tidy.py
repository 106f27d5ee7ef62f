#!/usr/bin/env python3
"""Runs clang-tidy over the translation units of a build, remembering clean
and unclean results by content.

usage: clang_tidy.py BUILD_DIR SOURCE_DIR CACHE_DIR JOBS DIR...

Takes from BUILD_DIR/compile_commands.json every .c file under the given
folders of SOURCE_DIR and checks it with SOURCE_DIR/.clang-tidy, JOBS files
at a time. clang-tidy's path-sensitive analysis costs seconds a file, so each
file's output is kept in CACHE_DIR under a key made of what could change it:
the file as the preprocessor expands it (every header included, comments
kept), its compile command, the configuration and clang-tidy's version. A
file whose key is known is not checked again.

The compile commands are gcc's: .clang-tidy's ExtraArgs make clang ignore
the warning flags it does not know (-Wno-format-truncation).

Prints every finding; exits 1 if there is any, 2 if the set-up is wrong.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

FINDING = re.compile(r"^[^\s:][^:]*:\d+:\d+: (warning|error):")


def preprocess(entry):
    """The file as the compiler sees it, with every header expanded, and with
    comments and line markers: a NOLINT or a moved line changes the result."""
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a != "-c":
            out.append(a)
    out += ["-E", "-C"]
    res = subprocess.run(out, cwd=entry["directory"], capture_output=True)
    return res.stdout + res.stderr


def cache_key(entry, fixed):
    h = hashlib.sha256(fixed)
    h.update(entry.get("command", " ".join(entry.get("arguments", []))).encode())
    h.update(preprocess(entry))
    return h.hexdigest()


def tidy(entry, config, build):
    res = subprocess.run(
        ["clang-tidy", "-p", build, "--quiet", "--config-file=" + config, entry["file"]],
        capture_output=True, text=True)
    # Without --quiet's summary on stderr, stdout holds the findings; a file
    # that does not compile says so on stdout as an error too.
    text = res.stdout
    if res.returncode != 0 and not any(FINDING.match(l) for l in text.splitlines()):
        text += "%s: error: clang-tidy exited %d\n%s" % (entry["file"], res.returncode,
                                                        res.stderr)
    return text


def check(entry, fixed, config, build, cache):
    key = cache_key(entry, fixed)
    path = os.path.join(cache, key)
    if os.path.exists(path):
        with open(path) as f:
            return key, f.read(), True
    text = tidy(entry, config, build)
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    return key, text, False


def main():
    if len(sys.argv) < 6:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    build, source, cache, jobs = sys.argv[1:5]
    dirs = [os.path.join(os.path.realpath(source), d) + os.sep for d in sys.argv[5:]]
    config = os.path.join(source, ".clang-tidy")
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = [e for e in json.load(f)
                   if e["file"].endswith(".c")
                   and any(os.path.realpath(e["file"]).startswith(d) for d in dirs)]
    if not entries:
        print("no files to check under %s" % " ".join(dirs), file=sys.stderr)
        return 2
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True).stdout
    with open(config, "rb") as f:
        fixed = version + f.read()
    os.makedirs(cache, exist_ok=True)
    findings, fresh, used = [], 0, set()
    with concurrent.futures.ThreadPoolExecutor(max_workers=int(jobs)) as pool:
        for key, text, cached in pool.map(
                lambda e: check(e, fixed, config, build, cache), entries):
            used.add(key)
            fresh += not cached
            if any(FINDING.match(l) for l in text.splitlines()):
                findings.append(text)
    # Results of files as they no longer are would only fill the folder.
    for name in set(os.listdir(cache)) - used:
        os.remove(os.path.join(cache, name))
    print("clang-tidy: %d files, %d checked now, %d from earlier runs, %d with findings"
          % (len(entries), fresh, len(entries) - fresh, len(findings)))
    for text in findings:
        sys.stdout.write(text)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
