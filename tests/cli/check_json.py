#!/usr/bin/env python3
"""Checks `mmtriage report -f json` documents against contract version 1.

usage: check_json.py [--mutations] REPORT.json...

Each document is validated against docs/report.schema.json with
python3-jsonschema (Draft 2020-12, formats not checked); without that
package only the schema's required keys are checked, which the contract
promises first (absent values are null, never missing keys). Then what a
schema cannot say: ids unique and cross-referenced, sources named by the
reports and evidence present, subjects listed once, windows in order.

--mutations also proves the checks are not vacuous: each mutation below
(a key dropped or added, a string for a number, a confidence of 1.5, ...)
is applied to the smallest document it fits and must be rejected; every
one must fit some document. And the schema's closed vocabularies that the
code keeps in one table (report kinds, wait classes, ...) must list what
the table lists, no more, no less, so that a new value cannot reach a
report before the schema names it. It needs python3-jsonschema: without
it the script exits 77, the status ctest counts as skipped.

Prints what is wrong; exits 1 if anything is.
"""
import copy
import glob
import json
import os
import re
import sys

SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCHEMA = os.path.join(SOURCE_DIR, "docs", "report.schema.json")
SKIP = 77

try:
    import jsonschema
except ImportError:
    jsonschema = None


def resolve(schema, node):
    """A subschema with its local $ref followed ("#/$defs/NAME")."""
    while "$ref" in node:
        target = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = dict(target, **{k: v for k, v in node.items() if k != "$ref"})
    return node


def required_keys(schema, node, value, where, errors):
    """The schema's required keys, at every level, without a validator."""
    node = resolve(schema, node)
    for branch in node.get("anyOf", []):
        if isinstance(value, dict) and resolve(schema, branch).get("type") == "object":
            required_keys(schema, branch, value, where, errors)
    if isinstance(value, dict):
        for k in node.get("required", []):
            if k not in value:
                errors.append("%s: missing key %r" % (where, k))
        for k, sub in node.get("properties", {}).items():
            if k in value:
                required_keys(schema, sub, value[k], "%s.%s" % (where, k), errors)
    elif isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            required_keys(schema, node["items"], item, "%s[%d]" % (where, i), errors)


def schema_errors(schema, validator, doc):
    if validator is None:
        errors = []
        required_keys(schema, schema, doc, "top", errors)
        return errors
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "top", e.message[:300])
            for e in validator.iter_errors(doc)]


def unique(values, what, errors):
    seen = set()
    for v in values:
        if v in seen:
            errors.append("%s %r appears twice" % (what, v))
        seen.add(v)


def reference_errors(doc):
    """What the schema cannot express; assumes the document passed it."""
    errors = []
    if doc["mmtriage"]["schema"] != 1:
        errors.append("the contract version is not 1")
    paths = {s["path"] for s in doc["sources"]}
    unique((s["id"] for s in doc["sources"]), "source id", errors)
    unique((s["sha256"] for s in doc["sources"]), "source sha256", errors)
    unique((r["id"] for r in doc["reports"]), "report id", errors)
    unique((f["id"] for f in doc["findings"]), "finding id", errors)
    for r in doc["reports"]:
        if r["source"] not in paths:
            errors.append("report %s names an unknown source" % r["id"])
        if r["line_end"] < r["line"]:
            errors.append("report %s ends before it starts" % r["id"])
    for f in doc["findings"]:
        if (f["t_start"] is None) != (f["t_end"] is None):
            errors.append("finding %s has half a window" % f["id"])
        elif f["t_start"] is not None and f["t_end"] < f["t_start"]:
            errors.append("finding %s ends before it starts" % f["id"])
        for kind, items in f["subjects"].items():
            unique((json.dumps(x, sort_keys=True) for x in items),
                   "finding %s %s subject" % (f["id"], kind), errors)
        for e in f["evidence"]:
            if e["source"] is not None and e["source"] not in paths:
                errors.append("finding %s: evidence names an unknown source" % f["id"])
    ids = {f["id"] for f in doc["findings"]}
    d = doc["diagnosis"]
    for i in d["findings"]:
        if i not in ids:
            errors.append("diagnosis names finding %s, which does not exist" % i)
    for a in d["alternatives"]:
        if a["hang_class"] == d["hang_class"]:
            errors.append("the verdict's class %s is also an alternative" % a["hang_class"])
    return errors


def check(schema, validator, doc):
    errors = schema_errors(schema, validator, doc)
    return errors or reference_errors(doc)


# Where a mutation applies: the objects of a document of one type.
def top(doc):
    return [doc]


def sources(doc):
    return doc["sources"]


def reports(doc):
    return doc["reports"]


def findings(doc):
    return doc["findings"]


def diagnosis(doc):
    return [doc["diagnosis"]]


def evidence(doc, kind=None):
    return [e for f in doc["findings"] for e in f["evidence"] if kind in (None, e["kind"])]


def frames(doc):
    return [fr for r in doc["reports"] for fr in r["frames"]]


def gfps(doc):
    return [r["gfp"] for r in doc["reports"] if r["gfp"]]


def setter(pick, key, value):
    """A mutation: sets key of the first object pick(doc) finds, if any."""
    def mutate(doc):
        objects = pick(doc)
        if objects:
            objects[0][key] = value
        return bool(objects)
    return mutate


def dropper(pick, key):
    """A mutation: deletes key of the first object pick(doc) finds, if any."""
    def mutate(doc):
        objects = pick(doc)
        if objects:
            del objects[0][key]
        return bool(objects)
    return mutate


def verdict_without_class(doc):
    d = doc["diagnosis"]
    if d["hang_class"] is None:
        return False
    d["hang_class"] = None
    return True


def unknown_finding(doc):
    doc["diagnosis"]["findings"].append(max([f["id"] for f in doc["findings"]], default=0) + 1)
    return True


def cpu_as_string(doc):
    subjects = [f["subjects"] for f in doc["findings"] if f["subjects"]["cpus"]]
    if not subjects:
        return False
    subjects[0]["cpus"][0] = str(subjects[0]["cpus"][0])
    return True


MUTATIONS = [
    ("top-level key dropped", dropper(top, "findings")),
    ("source key dropped", dropper(sources, "size")),
    ("report key dropped", dropper(reports, "line_end")),
    ("finding key dropped", dropper(findings, "confidence")),
    ("frame key dropped", dropper(frames, "context")),
    ("evidence key dropped", dropper(evidence, "ts")),
    ("diagnosis key dropped", dropper(diagnosis, "missing")),
    ("unknown top-level key", setter(top, "comment", "x")),
    ("unknown report key", setter(reports, "uptime", 1.0)),
    ("unknown subject type", setter(lambda d: [f["subjects"] for f in d["findings"]],
                                    "inodes", [])),
    ("unknown gfp key", setter(gfps, "names", "GFP_KERNEL")),
    ("unknown evidence key", setter(evidence, "url", None)),
    ("string for a time", setter(reports, "time", "762.933")),
    ("string for a count", setter(sources, "records", "435")),
    ("string for a CPU", cpu_as_string),
    ("finding confidence 1.5", setter(findings, "confidence", 1.5)),
    ("finding confidence -0.1", setter(findings, "confidence", -0.1)),
    ("alternative confidence 1.5", setter(lambda d: d["diagnosis"]["alternatives"],
                                          "confidence", 1.5)),
    ("diagnosis confidence 1.5", setter(diagnosis, "confidence", 1.5)),
    ("null for a required title", setter(findings, "title", None)),
    ("null for a line", setter(reports, "line", None)),
    ("unknown severity", setter(findings, "severity", "fatal")),
    ("unknown analyzer", setter(findings, "analyzer", "stacks")),
    ("unknown report kind", setter(reports, "kind", "hang")),
    ("unknown wait class", setter(reports, "wait_class", "sleeping")),
    ("unknown evidence kind", setter(evidence, "kind", "line")),
    ("unknown hang class", setter(diagnosis, "hang_class", "hang")),
    ("unknown missing data", setter(lambda d: d["diagnosis"]["missing"], "what", "dmesg")),
    ("unknown frame context", setter(frames, "context", "user")),
    ("unknown gfp context", setter(gfps, "context", "kernel")),
    ("sha256 in capitals", setter(sources, "sha256", "AB" * 32)),
    ("sha256 cut short", setter(sources, "sha256", "ab" * 31)),
    ("gfp mask without 0x", setter(gfps, "mask", "cc0")),
    ("frame offset with its plus", setter(frames, "offset", "+0x2e9")),
    ("contract version 2", setter(lambda d: [d["mmtriage"]], "schema", 2)),
    ("gfp flags without a context", setter(gfps, "context", None)),
    ("log evidence without a line", setter(lambda d: evidence(d, "log"), "line", None)),
    ("confidence without a hang class", verdict_without_class),
    ("diagnosis names no finding", unknown_finding),
    ("report of an unknown source", setter(reports, "source", "elsewhere.txt")),
]


def mutations(schema, validator, docs):
    """Each mutation on the smallest document it fits; all must be rejected."""
    failures = []
    for name, mutate in MUTATIONS:
        for path, doc in docs:
            bad = copy.deepcopy(doc)
            if not mutate(bad):
                continue
            if not check(schema, validator, bad):
                failures.append("mutation accepted: %s (%s)" % (name, path))
            break
        else:
            failures.append("mutation fits no document: %s" % name)
    return failures


# Closed vocabularies: the schema's enum, the files of the code that define
# it, the C array in them (None: the whole file), the pattern of a name in
# it, and names the table holds that reports never show.
VOCABULARIES = [
    ("$defs/report/properties/kind", "parsers/klog_header.c", "kind_names", r'"(\w+)"',
     {"none"}),
    ("$defs/wait_class", "analyzers/stackrules.c", "stackrules_classes", r'"(\w+)"', set()),
    ("$defs/scored_class", "analyzers/diagnosis_classes.c", "mmt_hang_classes", r'"(\w+)"',
     set()),
    ("$defs/diagnosis/properties/missing/items/properties/what",
     "analyzers/diagnosis_missing.c", "rules", r'\{\s*"(\w+)"', set()),
    ("$defs/source/properties/kind", "parsers/*.c", None,
     r'const struct mmt_parser mmt_parser_\w+ = \{[^}]*?\.name = "(\w+)"', set()),
]


def vocabulary_errors(schema):
    errors = []
    for where, files, array, pattern, unused in VOCABULARIES:
        node = schema
        for part in where.split("/"):
            node = node[part]
        code = set()
        for path in sorted(glob.glob(os.path.join(SOURCE_DIR, files))):
            text = open(path).read()
            if array:
                m = re.search(r"\b%s\[[^\]]*\]\s*=\s*\{(.*?)\n\};" % array, text, re.S)
                text = m.group(1) if m else ""
            code |= set(re.findall(pattern, text))
        code -= unused
        if not code:
            errors.append("%s: no names found in %s %s" % (where, files, array or ""))
        elif code != set(node["enum"]):
            errors.append("%s: missing from the schema %s, from the code %s" % (
                where, sorted(code - set(node["enum"])), sorted(set(node["enum"]) - code)))
    return errors


def load():
    """The schema, and its validator (None without python3-jsonschema)."""
    schema = json.load(open(SCHEMA))
    if jsonschema is None:
        return schema, None
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema, jsonschema.Draft202012Validator(schema)


def main(argv):
    want_mutations = "--mutations" in argv
    files = [a for a in argv if a != "--mutations"]
    schema, validator = load()
    if validator is None and want_mutations:
        print("skip: python3-jsonschema is not installed (import jsonschema failed)")
        return SKIP
    if validator is None:
        print("note: python3-jsonschema is not installed: only required keys checked",
              file=sys.stderr)
    failures, docs = [], []
    for path in files:
        doc = json.load(open(path))
        errors = check(schema, validator, doc)
        failures += ["%s: %s" % (path, e) for e in errors]
        docs.append((path, doc))
    if want_mutations and not failures:
        docs.sort(key=lambda pd: os.path.getsize(pd[0]))
        failures += mutations(schema, validator, docs) + vocabulary_errors(schema)
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
