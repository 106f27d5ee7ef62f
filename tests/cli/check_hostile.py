#!/usr/bin/env python3
"""Checks that a report on hostile input is safe in its format and still
shows every hostile name, escaped. Used by t104-hostile-formats.sh.

    check_hostile.py FORMAT REPORT [--names FILE] [--paths FILE] [--placed]
                     [--script-from HTML]

FORMAT is text, email, markdown, json or html. --names FILE: one line per
name, the hex of the bytes the store holds (sqlite3 hex()); each must be
recognisable in the report: its escaped form (the rules of core/escape.c,
written again here) among the report's visible text (for Markdown, the text
cmark-gfm renders). --placed (text, email): the names of capture-hostile
must also be where a reader looks for them (the verdict, a finding's tasks,
the reports table). --paths FILE: the same for file names (sources.path):
the escaped last component must be shown (the formats name a line as
FILE:LINE), and in JSON every source's path and every report's source give
the stored bytes back. --script-from HTML (html): the page of a report on
benign input, whose scripts are the only ones allowed. Prints what is wrong;
exit status 1 if anything is.
"""
import html.parser
import json
import re
import shutil
import subprocess
import sys
import unicodedata

errors = []


def error(msg):
    errors.append(msg)


# ------------------------------------------------------------ the escaping
# Format characters that reorder or hide text: shown as \uXXXX.
INVISIBLE = {0x061C, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF} | set(range(0x2028, 0x202F)) \
    | set(range(0x2066, 0x206A))


def next_char(b, i):
    """(text, length) of the valid UTF-8 character at b[i], or (None, 1)."""
    for n in (2, 3, 4):
        try:
            ch = b[i:i + n].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(ch) == 1:
            return ch, n
    return None, 1


def esc_term(b):
    """What the text formats show for the stored bytes b."""
    out, i = [], 0
    while i < len(b):
        c = b[i]
        if c == 0x09:
            out.append(" ")
        elif c < 0x20 or c == 0x7F:
            out.append("\\x%02x" % c)
        elif c < 0x80:
            out.append(chr(c))
        else:
            ch, n = next_char(b, i)
            if ch is None or 0x80 <= ord(ch) < 0xA0:
                out.append("".join("\\x%02x" % x for x in b[i:i + n]))
            elif ord(ch) in INVISIBLE:
                out.append("\\u%04x" % ord(ch))
            else:
                out.append(ch)
            i += n
            continue
        i += 1
    return "".join(out)


def esc_email(b):
    return "".join(c if ord(c) < 0x80 else "".join("\\x%02x" % x for x in c.encode())
                   for c in esc_term(b))


def json_form(b):
    """The string json.loads gives for the stored bytes b: each byte of
    invalid UTF-8 as the four characters \\xNN, the rest as it is."""
    return b.decode("utf-8", errors="backslashreplace")


def squash(s):
    """Without whitespace: the wrapping of a line may fall inside a name."""
    return re.sub(r"\s+", "", s)


# ------------------------------------------------------ text, email, markdown
def check_bytes(data):
    """No control byte but newline and tab, valid UTF-8, no C1, no bidi."""
    bad = sorted({c for c in data if (c < 0x20 and c not in (0x09, 0x0A)) or c == 0x7F})
    if bad:
        error("control bytes %s" % ", ".join("0x%02x" % c for c in bad))
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        error("not UTF-8 at byte %d" % e.start)
        return data.decode("utf-8", errors="replace")
    c1 = sorted({ord(c) for c in text if 0x80 <= ord(c) < 0xA0})
    if c1:
        error("C1 controls %s" % ", ".join("U+%04X" % c for c in c1))
    hidden = sorted({ord(c) for c in text if ord(c) in INVISIBLE})
    if hidden:
        error("raw format characters %s" % ", ".join("U+%04X" % c for c in hidden))
    return text


def columns(line):
    """Display columns of a line (East Asian wide and full-width count 2)."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def check_email(text):
    for n, line in enumerate(text.split("\n"), 1):
        if columns(line) > 80:
            error("email line %d: %d columns" % (n, columns(line)))
        # The markup of the Markdown report, which email must not use (a
        # fence indented by 4 or more spaces is code, as the wrapped lines
        # of a file name or log line are, not a fence).
        if re.match(r"#{1,6} | {0,3}```| {0,3}~~~|\|( ---)+ \||- \*\*[^*]+:\*\* ", line):
            error("email line %d: Markdown syntax: %r" % (n, line[:60]))
    if any(ord(c) > 0x7E for c in text):
        error("email: not ASCII")


def fences(lines):
    """Yields (line, in_code) for a Markdown document; checks that every
    fence closes with the fence it opened and nothing inside closes it."""
    fence = None
    for n, line in enumerate(lines, 1):
        m = re.match(r" {0,3}(`{3,}|~{3,})", line)
        if fence is None and m:
            fence = m.group(1)
            yield n, line, True
        elif fence is not None and m and m.group(1)[0] == fence[0] and \
                len(m.group(1)) >= len(fence):
            if line.strip() != m.group(1) or len(m.group(1)) != len(fence):
                error("markdown line %d: a line inside a code block closes it" % n)
            fence = None
            yield n, line, True
        else:
            yield n, line, fence is not None
    if fence is not None:
        error("markdown: a code block is not closed")


def unescaped(line, chars):
    """Positions of chars in line not preceded by a backslash escape."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] in chars:
            out.append(i)
        i += 1
    return out


def check_markdown(text):
    table = None
    for n, line, code in fences(text.split("\n")):
        if code:
            table = None
            continue
        # Tables: every row has the header's number of cells.
        if line.startswith("|"):
            cells = len(unescaped(line, "|")) - 1
            if table is None:
                table = cells
            elif cells != table:
                error("markdown line %d: %d cells, the header has %d" % (n, cells, table))
        else:
            table = None
        # Outside code, untrusted text never opens a tag, an entity of its
        # own, a link, code or emphasis.
        if "<" in line or ">" in line:
            error("markdown line %d: raw < or >: %r" % (n, line[:80]))
        for m in re.finditer(r"&", line):
            if not re.match(r"&(amp|lt|gt);", line[m.start():]):
                error("markdown line %d: a bare &: %r" % (n, line[m.start():m.start() + 20]))
        body = re.sub(r"^- \*\*[^*\\]*:\*\* ", "", line)
        for ch in "[]`*_":
            if unescaped(body, ch):
                error("markdown line %d: unescaped %r in %r" % (n, ch, line[:80]))
                break


# ---------------------------------------------------------------- HTML
ALLOWED = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "p",
           "div", "span", "section", "table", "thead", "tbody", "tr", "th", "td", "code",
           "pre", "details", "summary", "ul", "li", "a", "svg", "g", "path", "line",
           "polyline", "polygon", "rect", "circle", "text", "tspan", "title", "desc",
           "defs", "clippath", "use", "br", "strong", "em", "small", "figure",
           "figcaption", "caption", "colgroup", "col", "ol", "dl", "dt", "dd", "header",
           "footer", "nav", "main", "b", "i", "script"}
# Elements a Markdown renderer makes from the Markdown report.
MD_ALLOWED = {"h1", "h2", "h3", "h4", "p", "ul", "li", "strong", "code", "pre", "table",
              "thead", "tbody", "tr", "th", "td"}


class Page(html.parser.HTMLParser):
    def __init__(self, allowed):
        super().__init__(convert_charrefs=True)
        self.allowed, self.stack, self.text, self.scripts = allowed, [], [], []
        self.tables = []    # cells of each row of each table

    def cells(self, tag, start):
        """Every row of a table has as many cells as the others."""
        if tag == "table" and start:
            self.tables.append([])
        elif tag == "tr" and start and self.tables:
            self.tables[-1].append(0)
        elif tag in ("td", "th") and start and self.tables and self.tables[-1]:
            self.tables[-1][-1] += 1
        elif tag == "table" and not start and self.tables:
            rows = self.tables.pop()
            if len(set(rows)) > 1:
                error("html: a table with rows of %s cells" % sorted(set(rows)))

    def handle_starttag(self, tag, attrs):
        if tag not in self.allowed:
            error("html: element <%s>" % tag)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                error("html: attribute %s on <%s>" % (name, tag))
            if "javascript:" in value.replace(" ", "").lower():
                error("html: javascript: in %s of <%s>" % (name, tag))
            if tag == "a" and name in ("href", "xlink:href") and not value.startswith("#"):
                error("html: a link out of the page: %r" % value[:60])
            if name in ("src", "srcdoc", "action", "formaction"):
                error("html: attribute %s on <%s>" % (name, tag))
        self.cells(tag, True)
        if tag == "script":
            self.scripts.append("")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        self.cells(tag, False)
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "script":
            self.scripts[-1] += data
            return
        if self.stack and self.stack[-1] == "style":
            return
        self.text.append(data)


def parse_html(text, allowed):
    p = Page(allowed)
    p.feed(text)
    p.close()
    return p


def check_html(text, names_text, reference):
    """reference: the page of a report on benign input; its scripts are the
    report's own, and the only ones this page may have."""
    p = parse_html(text, ALLOWED)
    if len(p.scripts) > 1:
        error("html: %d <script> blocks" % len(p.scripts))
    if reference is not None and p.scripts != parse_html(reference, ALLOWED).scripts:
        error("html: scripts other than the report's own")
    for s in p.scripts:
        for name in names_text:
            if len(name) >= 4 and name in s:
                error("html: a name from the input in the <script>: %r" % name[:40])
    if re.search(r"<script[\s>]", text, re.I) and len(p.scripts) == 0:
        error("html: a script the parser did not see")
    # Long lines: wrapped or contained by the style sheet.
    style = " ".join(re.findall(r"<style[^>]*>(.*?)</style>", text, re.S | re.I))
    if not re.search(r"overflow-wrap\s*:\s*(anywhere|break-word)|word-break\s*:\s*break-all|"
                     r"overflow(-x)?\s*:\s*(auto|scroll|hidden)", style):
        error("html: no overflow-wrap or overflow in the style sheet: long lines stretch the page")
    return p


# ---------------------------------------------------------------- JSON
def check_json_paths(doc, paths):
    stored = {s["path"] for s in doc["sources"]}
    cited = {r["source"] for r in doc["reports"]}
    for b in paths:
        if json_form(b) not in stored:
            error("json: no source with path %r" % json_form(b))
        if json_form(b) not in cited:
            error("json: no report citing source %r" % json_form(b))


def basename(b):
    return b.rsplit(b"/", 1)[-1]


def check_json(raw, names):
    def no_constants(c):
        raise ValueError("non-standard constant " + c)

    def no_dup(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            error("json: duplicate keys %s" % keys)
        return dict(pairs)
    try:
        doc = json.loads(raw.decode("utf-8", errors="strict"), strict=True,
                         parse_constant=no_constants, object_pairs_hook=no_dup)
    except (ValueError, UnicodeDecodeError) as e:
        error("json: does not parse: %s" % e)
        return None
    comms = {r["comm"] for r in doc["reports"] if r["comm"] is not None}
    comms |= {t["comm"] for f in doc["findings"] for t in f["subjects"]["tasks"]}
    for b in names:
        if json_form(b) not in comms:
            error("json: no report or subject with comm %r" % json_form(b))
    return doc


# ---------------------------------------------------------------- placement
def sections(text, fmt):
    """The report cut at its top-level headings: {'diagnosis': ..., ...}."""
    if fmt == "markdown":
        parts = re.split(r"^## (.*)$", text, flags=re.M)
    else:
        parts = re.split(r"^(\S.*)\n[-=]{3,}$", text, flags=re.M)
    out = {}
    for head, body in zip(parts[1::2], parts[2::2]):
        out[head.split()[0].lower().rstrip(":")] = body
    return out


def check_placed(text, fmt, names, form):
    """capture-hostile: a hostile name in the verdict, the ten writers in a
    finding's tasks and in the reports table."""
    s = sections(text, fmt)
    for key in ("diagnosis", "findings", "reports"):
        if key not in s:
            error("%s: no %s section" % (fmt, key))
            return
    shown = {b: squash(form(b)) for b in names}
    if not any(v in squash(s["diagnosis"]) for v in shown.values()):
        error("%s: no hostile name in the diagnosis" % fmt)
    tasks = squash("".join(re.findall(r"tasks:(.*(?:\n {6,}.*)*)", s["findings"])))
    if sum(v in tasks for v in shown.values()) < 10:
        error("%s: fewer than 10 hostile names in the findings' tasks" % fmt)
    if sum(v in squash(s["reports"]) for v in shown.values()) < 10:
        error("%s: fewer than 10 hostile names in the reports table" % fmt)


def main(argv):
    fmt, path = argv[0], argv[1]
    names, paths, placed = [], [], "--placed" in argv
    if "--names" in argv:
        with open(argv[argv.index("--names") + 1]) as f:
            names = [bytes.fromhex(x.strip()) for x in f if x.strip()]
    if "--paths" in argv:
        with open(argv[argv.index("--paths") + 1]) as f:
            paths = [bytes.fromhex(x.strip()) for x in f if x.strip()]
    with open(path, "rb") as f:
        raw = f.read()
    what = "%s %s" % (fmt, path.rsplit("/", 1)[-1])
    if fmt == "json":
        doc = check_json(raw, names)
        if doc is not None:
            check_json_paths(doc, paths)
    elif fmt == "html":
        text = check_bytes(raw)
        reference = None
        if "--script-from" in argv:
            with open(argv[argv.index("--script-from") + 1], encoding="utf-8") as f:
                reference = f.read()
        p = check_html(text, [esc_term(b) for b in names], reference)
        visible = squash("".join(p.text))
        for b in names + [basename(p) for p in paths]:
            if squash(esc_term(b)) not in visible:
                error("html: %r not shown" % esc_term(b))
    else:
        text = check_bytes(raw)
        form = esc_email if fmt == "email" else esc_term
        if fmt == "email":
            check_email(text)
        if fmt == "markdown":
            check_markdown(text)
            visible = squash(markdown_text(text, path))
        else:
            visible = squash(text)
        for b in names + [basename(p) for p in paths]:
            if squash(form(b)) not in visible:
                error("%r not shown" % form(b))
        if placed and fmt != "markdown":
            check_placed(text, fmt, names, form)
    for e in errors:
        print("%s: %s" % (what, e))
    return 1 if errors else 0


def markdown_text(text, path):
    """The visible text of the Markdown report as two renderers show it:
    cmark-gfm (GitHub's, with raw HTML let through) and Python-Markdown
    (the original rules: a backslash does not escape '<'). Neither may
    find an element the report did not write."""
    pages = []
    cmark = shutil.which("cmark-gfm")
    if not cmark:
        error("markdown: cmark-gfm is not installed (bootstrap installs it)")
    else:
        out = subprocess.run([cmark, "--unsafe", "-e", "table", "-e", "autolink",
                              "-e", "strikethrough", path], capture_output=True, check=True)
        pages.append(("cmark-gfm", out.stdout.decode()))
    try:
        import markdown
        pages.append(("Python-Markdown",
                      markdown.markdown(text, extensions=["tables", "fenced_code"])))
    except ImportError:
        error("markdown: Python-Markdown is not installed (bootstrap installs python3-markdown)")
    texts = []
    for who, page in pages:
        before = len(errors)
        p = parse_html(page, MD_ALLOWED)
        for i in range(before, len(errors)):
            errors[i] = "rendered by %s: %s" % (who, errors[i])
        if re.search(r"<a[\s>]|<img", page):
            error("rendered by %s: a link or an image" % who)
        texts.append("".join(p.text))
    return texts[0] if texts else text


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
