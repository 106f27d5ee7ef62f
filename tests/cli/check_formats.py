#!/usr/bin/env python3
"""Checks the text, Markdown and email reports of one database.

check_formats.py NAME FINDINGS REPORT.txt REPORT.md REPORT.email

FINDINGS is the number of findings in the database. Each report must be
valid UTF-8 without control characters but tab and newline, list every
finding once, and keep to its format: the email within 80 display columns
and without Markdown markup, the Markdown with tables whose rows have as
many cells as their header. Exits non-zero, saying why, when one does not.
"""
import re
import sys
import unicodedata


def fail(msg):
    print(f"check_formats: {msg}", file=sys.stderr)
    sys.exit(1)


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"{path}: not UTF-8 at byte {e.start}")
    for n, line in enumerate(text.split("\n"), 1):
        bad = [c for c in line if unicodedata.category(c) == "Cc" and c != "\t"]
        if bad:
            fail(f"{path}:{n}: control character {bad[0]!r}")
    return text


def columns(line):
    """Display columns: East Asian wide characters take two, combining marks none."""
    width = 0
    for c in line:
        if unicodedata.combining(c):
            continue
        width += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return width


def count(path, text, pattern, want, what):
    got = len(re.findall(pattern, text, re.M))
    if got != want:
        fail(f"{path}: {got} {what}, the database has {want} findings")


def cells(row):
    """The cells of a Markdown table row; an escaped pipe is not a separator."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def check_markdown_tables(path, text):
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if not line.startswith("| ") or n + 1 >= len(lines):
            continue
        if not lines[n + 1].startswith("| ---"):
            continue
        want = cells(line)
        for k in range(n + 1, len(lines)):
            if not lines[k].startswith("|"):
                break
            if cells(lines[k]) != want:
                fail(f"{path}:{k + 1}: {cells(lines[k])} cells, the header has {want}")


def check_email(path, text):
    for n, line in enumerate(text.split("\n"), 1):
        if columns(line) > 80:
            fail(f"{path}:{n}: {columns(line)} columns")
        if re.match(r"#{1,6} |\| --- |```|\*\*", line):
            fail(f"{path}:{n}: Markdown markup in the email form: {line[:60]!r}")


def main():
    if len(sys.argv) != 6:
        fail("usage: check_formats.py NAME FINDINGS REPORT.txt REPORT.md REPORT.email")
    name, findings = sys.argv[1], int(sys.argv[2])
    txt, md, email = sys.argv[3], sys.argv[4], sys.argv[5]
    text = read(txt)
    count(txt, text, r"^\[\d+\] ", findings, "finding items")
    markdown = read(md)
    count(md, markdown, r"^### \d+\. ", findings, "finding headings")
    check_markdown_tables(md, markdown)
    mail = read(email)
    count(email, mail, r"^\d+\. \[(critical|warning|info)\] ", findings, "finding items")
    check_email(email, mail)
    print(f"{name}: text, markdown and email agree on {findings} findings")


if __name__ == "__main__":
    main()
