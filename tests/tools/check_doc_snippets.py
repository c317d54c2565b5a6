#!/usr/bin/env python3
"""Runs every YAML config snippet of the docs through `wiregate check-config` and validates it
against schemas/gateway-config.schema.json (ctest: docs.yaml_snippets).

usage: check_doc_snippets.py --wiregate BIN --schema schemas/gateway-config.schema.json \
           FILE.md...

The rules (docs/README.md, "Examples in the docs"):
- every ```yaml block is a gateway config or a part of one, unless an HTML comment on the line
  before its fence says otherwise:
    <!-- snippet: not-config (what it is) -->   another program's YAML (Prometheus, compose…):
                                                not checked here;
    <!-- snippet: invalid (why) -->             a deliberately wrong example: check-config must
                                                refuse it, or the test fails;
- a block holding every required top-level key of the config schema is a whole config and is
  checked as it is; any other block is a fragment: its top-level keys (each must be a key of
  the config schema) are merged into BASE below, mappings key by key (recursively), any other
  value (a list, a scalar) replacing the base's;
- files a snippet names (`file:`, `cert_file:`, `key_file:`, `client_ca_file:`, relative) are
  created with placeholder content beside it and its `env:` variables are set, as
  check_shipped_configs.py does for the shipped configs.
Also shown one broken snippet (an unknown key merged into the base) that check-config must
refuse. Exit 0 when every snippet gets its verdict, 1 otherwise, 77 (ctest: skipped) without
PyYAML or jsonschema."""
import argparse
import copy
import json
import pathlib
import re
import sys

try:
    import yaml
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from check_shipped_configs import check_config, schema_errors  # noqa: E402
from jsonschema import Draft202012Validator, FormatChecker  # noqa: E402

# The smallest config check-config accepts; fragments are merged into it.
BASE = """
gateway: {instance: doc-snippet}
listeners:
  http: [{name: ingest, address: 127.0.0.1, port: 8080}]
  admin: {address: 127.0.0.1, port: 9090}
feeds:
  - {id: doc, agency: doc, format: ninjs, auth: {api_keys: [{value: doc-key}]}}
routing:
  topics: [wire.all, wire.rejected]
  default_topics: [wire.all]
  rejected_topic: wire.rejected
kafka: {brokers: "127.0.0.1:19092"}
"""

FENCE = re.compile(r"^([ \t]*)```(\w*)[^\n]*\n(.*?)^\1```[ \t]*$", re.S | re.M)
MARKER = re.compile(r"<!--\s*snippet:\s*([\w-]+)(.*?)-->")


def yaml_blocks(text):
    """(line, marker or None, body) of every ```yaml block, its fence's indent removed."""
    for m in FENCE.finditer(text):
        if m.group(2) not in ("yaml", "yml"):
            continue
        before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before)
        indent = len(m.group(1))
        body = "".join(l[indent:] if l[:indent].isspace() else l
                       for l in m.group(3).splitlines(keepends=True))
        yield text.count("\n", 0, m.start()) + 1, marker.group(1) if marker else None, body


def merge(base, part):
    if isinstance(base, dict) and isinstance(part, dict):
        out = dict(base)
        for k, v in part.items():
            out[k] = merge(base[k], v) if k in base else v
        return out
    return part


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiregate", required=True)
    ap.add_argument("--schema", required=True, type=pathlib.Path)
    ap.add_argument("docs", nargs="+", type=pathlib.Path)
    args = ap.parse_args()
    schema = json.loads(args.schema.read_text(encoding="utf-8"))
    required, known = set(schema["required"]), set(schema["properties"])
    base = yaml.safe_load(BASE)
    failures, checked, skipped = [], 0, 0

    validator = Draft202012Validator(schema, format_checker=FormatChecker())

    def verdict(where, doc, want_ok):
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        ok, out = check_config(args.wiregate, text, doc, "snippet.yaml")
        if want_ok and ok:
            errors = schema_errors(validator, doc)
            ok, out = not errors, "\n".join(f"schema: {e}" for e in errors)
        if ok != want_ok:
            failures.append(f"{where}: check-config "
                            + ("refused it" if want_ok else "accepted it (it must refuse it)")
                            + f":\n{out}\n--- as checked:\n{text}")
        return ok == want_ok

    ok, out = check_config(args.wiregate, BASE, base, "base.yaml")
    if not ok:
        failures.append(f"the base config is refused:\n{out}")

    for path in args.docs:
        for line, marker, body in yaml_blocks(path.read_text(encoding="utf-8")):
            where = f"{path.name}:{line}"
            if marker == "not-config":
                skipped += 1
                continue
            if marker not in (None, "invalid"):
                failures.append(f"{where}: unknown marker snippet: {marker}")
                continue
            try:
                doc = yaml.safe_load(body)
            except yaml.YAMLError as e:
                failures.append(f"{where}: not YAML: {e}")
                continue
            if not isinstance(doc, dict):
                failures.append(f"{where}: not a mapping; mark other YAML <!-- snippet: "
                                "not-config (what) -->")
                continue
            unknown = set(doc) - known
            if unknown and marker != "invalid":
                failures.append(f"{where}: top-level keys {sorted(unknown)} are no config keys; "
                                "mark other YAML <!-- snippet: not-config (what) -->")
                continue
            whole = required <= set(doc)
            checked += 1
            as_expected = verdict(where, doc if whole else merge(base, doc),
                                  marker != "invalid")
            print(f"{where}: {'whole config' if whole else 'fragment of ' + ', '.join(doc)}"
                  f"{' (marked invalid)' if marker else ''}: "
                  f"{'as expected' if as_expected else 'FAILED'}")

    # check-config must refuse an unknown key, or the checks above prove nothing.
    verdict("the self-check (an unknown key)",
            merge(base, {"gateway": {"unknown_key_for_test": 1}}), False)
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    print(f"{checked} snippets checked, {skipped} marked not-config, {len(failures)} failures")
    if checked == 0:
        print("no snippets found", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
