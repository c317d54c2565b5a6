#!/usr/bin/python3
"""Every key of the gateway config schema is documented in the operator guide's reference.

Walks every property path of schemas/gateway-config.schema.json (following $ref, anyOf, oneOf,
allOf and array items; arrays are written `name[]`) and looks for each path, in backticks, in
the first column of the tables under "## Config reference" of docs/operator-guide.md. Fails
listing the paths that are missing, and the documented paths that are not in the schema (a key
renamed or removed). Exit 0 when both lists are empty.

  check_config_reference.py --schema schemas/gateway-config.schema.json \
      --guide docs/operator-guide.md
"""
import argparse
import json
import re
import sys


def schema_paths(schema):
    defs = schema.get("$defs", {})
    paths = []

    def walk(node, path, seen_refs):
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            if name not in seen_refs:  # recursion guard
                walk(defs[name], path, seen_refs | {name})
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, path, seen_refs)
        for name, sub in node.get("properties", {}).items():
            child = f"{path}.{name}" if path else name
            if child not in paths:
                paths.append(child)
            walk(sub, child, seen_refs)
        if isinstance(node.get("items"), dict):
            walk(node["items"], path + "[]", seen_refs)

    walk(schema, "", frozenset())
    return paths


def documented_paths(guide_text):
    """Backticked keys in the first column of the tables of the config reference section."""
    m = re.search(r"^## Config reference\n(.*?)(?=^## )", guide_text, re.S | re.M)
    if not m:
        return None
    keys = set()
    for line in m.group(1).splitlines():
        cell = re.match(r"^\|\s*`([^`]+)`\s*\|", line)
        if cell:
            keys.add(cell.group(1))
    return keys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema", required=True)
    ap.add_argument("--guide", required=True)
    args = ap.parse_args()
    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    with open(args.guide, encoding="utf-8") as f:
        documented = documented_paths(f.read())
    if documented is None:
        print(f"{args.guide}: no '## Config reference' section", file=sys.stderr)
        return 1
    paths = schema_paths(schema)
    missing = [p for p in paths if p not in documented]
    unknown = sorted(documented - set(paths))
    for p in missing:
        print(f"{args.guide}: config key {p} (in {args.schema}) is not in the reference")
    for p in unknown:
        print(f"{args.guide}: the reference documents {p}, which {args.schema} does not have")
    if missing or unknown:
        return 1
    print(f"ok: {len(paths)} config keys documented in {args.guide}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
