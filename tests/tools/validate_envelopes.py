#!/usr/bin/env python3
"""Validates wiregate envelopes (JSON lines) against a closed copy of schemas/story.schema.json
(every object schema with `properties` gets `additionalProperties: false`: the shipped schema is
open to additions, the gateway must still emit only documented fields) and, when the IPTC
reference folder is given, each `story` against IPTC's own ninjs 2.2 schema.

usage: validate_envelopes.py --schema S [--ninjs-dir DIR] FILE.jsonl…
       validate_envelopes.py --schema S [--ninjs-dir DIR] --wiregate BIN --fixtures DIR
       validate_envelopes.py --schema S [--ninjs-dir DIR] --wiregate BIN --samples DIR
The second form runs `wiregate normalize` over every good fixture (with its options.json); the
third over every file of a samples folder (sniffed: each must come out as its sub-folder's
format), and fails when any is refused. Exit 0 when every envelope validates; exit 77 (ctest: skipped) when --samples or the
fixtures folder is absent. Prints each failure with its file, line and JSON path.
Runs on Debian's python3-jsonschema (4.10) and python3-rfc3987 (the uri format)."""
import argparse
import json
import pathlib
import re
import subprocess
import sys
import tempfile

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def format_checker():
    checker = FormatChecker()

    # jsonschema 4.10 checks date-time only with an extra package; do it here, strictly.
    @checker.checks("date-time")
    def is_datetime(value):
        return not isinstance(value, str) or bool(RFC3339.match(value))

    return checker


def closed(node):
    """A copy of the schema in which every object schema that lists `properties` and says
    nothing of `additionalProperties` refuses any other property. The shipped schema is open to
    additions (consumers keep working when a version adds an optional field); the gateway's own
    envelopes are held to the closed copy, so it emits only fields the schema describes."""
    if isinstance(node, list):
        return [closed(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: closed(v) if k not in ("enum", "const", "required") else v for k, v in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        out["additionalProperties"] = False
    return out


def ninjs_validator(ninjs_dir):
    schema = json.loads((ninjs_dir / "ninjs-schema_2.2.json").read_text())
    geojson = json.loads((ninjs_dir / "GeoJSON-schema.json").read_text())
    # ninjs 2.2 references GeoJSON by URL: serve it from the local copy, never the network.
    resolver = jsonschema.RefResolver.from_schema(
        schema, store={"https://geojson.org/schema/GeoJSON.json": geojson,
                       geojson.get("$id", "https://geojson.org/schema/GeoJSON.json"): geojson})
    return Draft202012Validator(schema, resolver=resolver, format_checker=format_checker())


def normalize(wiregate, inputs, out):
    """Runs wiregate normalize per (file, extra args, expected format or None); returns the
    refusals it printed and every story whose sniffed format was not the expected one."""
    refusals = []
    for path, extra, expect_format in inputs:
        cmd = [str(wiregate), "normalize", "--received-at", "2026-01-01T00:00:00Z", *extra, str(path)]
        proc = subprocess.run(cmd, capture_output=True)
        out.write(proc.stdout)
        if proc.returncode != 0:
            refusals.append(f"{path}: {proc.stderr.decode('utf-8', 'replace').strip()[:500]}")
        for line in proc.stdout.decode("utf-8").splitlines():
            got = json.loads(line).get("wire", {}).get("format")
            if expect_format and got != expect_format:
                refusals.append(f"{path}: sniffed as {got}, expected {expect_format}")
    return refusals


def fixture_inputs(root):
    for good in sorted(root.glob("*/good")):
        fmt = good.parent.name
        for f in sorted(good.iterdir()):
            if f.name.endswith((".expected.json", ".options.json")) or f.name.startswith(".") or f.name == "README.md":
                continue
            extra = ["--format", fmt]
            opts = good / (f.name.split(".")[0] + ".options.json")
            if opts.exists():
                o = json.loads(opts.read_text())
                for key in ("profile", "charset", "agency", "feed", "format"):
                    if key in o:
                        extra += [f"--{key}", o[key]]
            yield f, extra, None


def sample_inputs(root):
    # Published samples go through auto-sniffing: each must be recognised as its folder's format.
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(folder.iterdir()):
            if f.is_file():
                yield f, ["--format", "auto"], folder.name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema", required=True, type=pathlib.Path)
    ap.add_argument("--ninjs-dir", type=pathlib.Path)
    ap.add_argument("--wiregate", type=pathlib.Path)
    ap.add_argument("--fixtures", type=pathlib.Path)
    ap.add_argument("--samples", type=pathlib.Path)
    ap.add_argument("files", nargs="*", type=pathlib.Path)
    args = ap.parse_args()

    refusals = []
    if args.fixtures or args.samples:
        root = args.fixtures or args.samples
        if not root.exists():
            print(f"{root} is absent: skipped")
            return 77
        tmp = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False)
        inputs = list(fixture_inputs(root) if args.fixtures else sample_inputs(root))
        refusals = normalize(args.wiregate, inputs, tmp)
        tmp.close()
        print(f"normalised {len(inputs)} files, {len(refusals)} refused")
        for r in refusals:
            print("REFUSED", r)
        args.files.append(pathlib.Path(tmp.name))

    ours = Draft202012Validator(closed(json.loads(args.schema.read_text())),
                                format_checker=format_checker())
    iptc = ninjs_validator(args.ninjs_dir) if args.ninjs_dir and args.ninjs_dir.exists() else None
    failures = checked = 0
    for path in args.files:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            checked += 1
            doc = json.loads(line)
            for name, validator, target in (("wiregate", ours, doc), ("ninjs-2.2", iptc, doc.get("story"))):
                if validator is None:
                    continue
                for err in validator.iter_errors(target):
                    failures += 1
                    where = "/".join(str(p) for p in err.absolute_path)
                    print(f"{path}:{lineno}: {name}: /{where}: {err.message[:300]}")
    print(f"validated {checked} envelopes against our schema"
          + (" and IPTC ninjs 2.2" if iptc else " (IPTC reference absent: skipped)")
          + f": {failures} problems")
    if checked == 0:
        print("no envelopes to validate", file=sys.stderr)
        return 1
    return 1 if failures or refusals else 0


if __name__ == "__main__":
    sys.exit(main())
