#!/usr/bin/env python3
"""Checks an HTML report as a browser shows it.

check_html.py REPORT.html DOM.html SHOT.png CHARTS

REPORT.html is mmtriage's output, DOM.html the document Chromium built from
it (--dump-dom), SHOT.png Chromium's screenshot of it. CHARTS is the least
number of data charts the report must draw (0 for a log without series).
Exits non-zero, saying why, when the page is not self-contained, when a
chart has no line, no unit or no time axis, when Chromium's document lost
elements of the report, or when the screenshot shows no chart.
"""
import re
import sys
from html.parser import HTMLParser

SERIES_COLOUR = (0x1F, 0x77, 0xB4)  # the first series of every chart
MAX_BYTES = 2 * 1024 * 1024


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures = []  # one dict per <figure class="chart">
        self.stack = []
        self.text_class = None
        self.external = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name in ("src", "srcset", "action", "formaction", "poster"):
                self.external.append(f"{tag} {name}={value}")
            if name == "href" and not value.startswith("#"):
                self.external.append(f"{tag} href={value}")
            if name.startswith("on"):
                self.external.append(f"{tag} {name}")
        if tag in ("link", "iframe", "object", "embed", "img", "image"):
            self.external.append(tag)
        if tag == "script":
            self.scripts += 1
        if tag == "figure" and "chart" in (a.get("class") or ""):
            self.figures.append({"id": a.get("id"), "paths": [], "labels": []})
        if self.figures and tag == "path" and "series" in (a.get("class") or ""):
            self.figures[-1]["paths"].append(a.get("d") or "")
        if tag == "text":
            self.text_class = a.get("class") or ""

    def handle_endtag(self, tag):
        if tag == "text":
            self.text_class = None

    def handle_data(self, data):
        if self.figures and self.text_class == "axis-label":
            self.figures[-1]["labels"].append(data.strip())


def parse(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    p = Page()
    p.feed(text)
    p.close()
    return text, p


def fail(msg):
    print(f"check_html: {msg}", file=sys.stderr)
    sys.exit(1)


def check_report(path, min_charts):
    text, page = parse(path)
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        fail(f"{path}: {size} bytes, over 2 MB")
    if page.external:
        fail(f"{path}: refers outside itself: {page.external[:5]}")
    if page.scripts:
        fail(f"{path}: has a script")
    if re.search(r"url\(|@import", text):
        fail(f"{path}: the style loads something")
    data = [f for f in page.figures if f["id"] != "chart-timeline"]
    if len(data) < min_charts:
        fail(f"{path}: {len(data)} data charts, expected at least {min_charts}")
    for f in page.figures:
        if not any(l.startswith("time (") for l in f["labels"]):
            fail(f"{path}: {f['id']} has no time axis label")
    for f in data:
        units = [l for l in f["labels"] if not l.startswith("time (")]
        if not units or not units[0]:
            fail(f"{path}: {f['id']} has no unit on its value axis")
        drawn = [d for d in f["paths"] if re.search(r"[MLHV][-\d.]", d)]
        if not drawn:
            fail(f"{path}: {f['id']} has no line")
    return page


def check_dom(path, report):
    _, dom = parse(path)
    want = [(f["id"], len(f["paths"])) for f in report.figures]
    got = [(f["id"], len(f["paths"])) for f in dom.figures]
    if want != got:
        fail(f"{path}: Chromium's document has charts {got}, the report {want}")


def coloured_pixels(png, colour):
    from PIL import Image  # python3-pil, installed by bootstrap

    img = Image.open(png).convert("RGB")
    near = 0
    for r, g, b in img.getdata():
        if abs(r - colour[0]) < 40 and abs(g - colour[1]) < 40 and abs(b - colour[2]) < 40:
            near += 1
    return near, img.size


def main():
    if len(sys.argv) != 5:
        fail("usage: check_html.py REPORT.html DOM.html SHOT.png CHARTS")
    report, dom, png, charts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    page = check_report(report, charts)
    check_dom(dom, page)
    near, size = coloured_pixels(png, SERIES_COLOUR)
    # A drawn series is a line of hundreds of pixels; each legend swatch is 100.
    if charts and near < 110 * len(page.figures) + 400:
        fail(f"{png}: {near} pixels of the first series' colour in {size}: no chart drawn")
    print(f"{report}: {len(page.figures)} charts, {near} series pixels")


if __name__ == "__main__":
    main()
