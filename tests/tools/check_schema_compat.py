#!/usr/bin/env python3
"""Compares the envelope schema with its released baseline and fails on a breaking change
(ctest: schema.compatibility).

usage: check_schema_compat.py --baseline schemas/released/story.schema.v1.json \
           --schema schemas/story.schema.json
       check_schema_compat.py --self-test

Within one major version (`wiregate.story/1`) the schema may only gain optional properties
(docs/consumer-guide.md, compatibility policy). Walking both schemas side by side (local `$ref`s
resolved, `allOf`/`anyOf`/`oneOf`/`items`/`prefixItems` member by member), these are breaking:
- a property of the baseline that is gone (removed or renamed);
- a `type` that no longer allows every type it allowed, or a `type` where there was none;
- a `required` name the baseline did not require;
- an `enum` missing a value the baseline had, or a `const`/`enum` where there was none or a
  different `const`; an `enum` with a value the baseline did not have, unless the baseline's
  enum carries `"x-open-enum": true` (values consumers are told to expect more of);
- a `pattern` or `format` added or changed (a changed regular expression cannot be proved wider,
  so any change counts), a `minimum`/`minLength`/`minItems`/`minProperties` raised or added, a
  `maximum`/`maxLength`/`maxItems`/`maxProperties` lowered or added;
- `additionalProperties` tightened (absent or true becoming false or a schema);
- a changed `$ref` target structure or a different number of `allOf`/`anyOf`/`oneOf` members.
A new property that is not required passes, as do new descriptions and titles.
The top-level `schema` const is the major version itself: a different const is a new major
version, which belongs in a new file, not in this one.

--self-test runs the checker on small schema pairs (each pair's expected verdict) first; the
ctest runs both. Exit 0 when compatible (and every self-test case gives its verdict), 1
otherwise. Standard library only."""
import argparse
import json
import pathlib
import sys

LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


def resolve(root, node):
    """Follows local `$ref`s ("#/$defs/x"); a node with siblings of its `$ref` is merged over
    the target (2020-12 applies both)."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            return node
        seen.add(ref)
        target = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **rest} if isinstance(target, dict) else target
    return node


def types(node):
    t = node.get("type")
    if t is None:
        return None
    types_ = set(t if isinstance(t, list) else [t])
    if "number" in types_:
        types_.add("integer")
    return types_


def compare(old_root, new_root, old, new, path, problems, depth=0):
    """Appends to `problems` every breaking difference between old and new at `path`."""
    if depth > 64:
        problems.append(f"{path}: nested too deep (a recursive schema?)")
        return
    old, new = resolve(old_root, old), resolve(new_root, new)
    if old is True or old == {}:
        if new not in (True, {}) and isinstance(new, dict) and any(
                k in new for k in ("type", "enum", "const", "pattern", "format", "required")):
            problems.append(f"{path}: constrained where the baseline allowed anything")
        return
    if new is True or new == {}:
        return  # anything is a superset of what was allowed
    if old is False or new is False:
        if new is False and old is not False:
            problems.append(f"{path}: no longer allowed")
        return
    old_t, new_t = types(old), types(new)
    if new_t is not None and (old_t is None or not old_t <= new_t):
        problems.append(f"{path}: type {sorted(old_t) if old_t else 'any'} became {sorted(new_t)}")

    if "const" in new and old.get("const", object()) != new["const"]:
        if "const" in old:
            problems.append(f"{path}: const {old['const']!r} became {new['const']!r}")
        else:
            problems.append(f"{path}: const {new['const']!r} added")
    if "enum" in new:
        if "enum" not in old:
            if "const" not in old or old["const"] not in new["enum"]:
                problems.append(f"{path}: enum {new['enum']} added")
        else:
            gone = [v for v in old["enum"] if v not in new["enum"]]
            added = [v for v in new["enum"] if v not in old["enum"]]
            if gone:
                problems.append(f"{path}: enum lost {gone}")
            if added and not old.get("x-open-enum"):
                problems.append(f"{path}: enum gained {added} (a closed enum; the baseline does "
                                "not mark it x-open-enum)")
    for word in ("pattern", "format"):
        if word in new and old.get(word) != new[word]:
            problems.append(f"{path}: {word} {old.get(word)!r} became {new[word]!r}")
    for word in LOWER_BOUNDS:
        if word in new and (word not in old or new[word] > old[word]):
            problems.append(f"{path}: {word} {old.get(word)!r} became {new[word]!r}")
    for word in UPPER_BOUNDS:
        if word in new and (word not in old or new[word] < old[word]):
            problems.append(f"{path}: {word} {old.get(word)!r} became {new[word]!r}")

    new_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(new_required):
        problems.append(f"{path}: {name!r} is now required")

    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, sub in old_props.items():
        if name not in new_props:
            problems.append(f"{path}/{name}: removed")
        else:
            compare(old_root, new_root, sub, new_props[name], f"{path}/{name}", problems, depth + 1)

    old_ap, new_ap = old.get("additionalProperties", True), new.get("additionalProperties", True)
    if old_ap is True and new_ap is not True and new_ap != {}:
        problems.append(f"{path}: additionalProperties tightened to {json.dumps(new_ap)}")
    elif isinstance(old_ap, dict) and new_ap is not True:
        compare(old_root, new_root, old_ap, new_ap, f"{path}/additionalProperties", problems, depth + 1)

    if "items" in old or "items" in new:
        compare(old_root, new_root, old.get("items", True), new.get("items", True),
                f"{path}/items", problems, depth + 1)
    for word in ("prefixItems", "allOf", "anyOf", "oneOf"):
        o, n = old.get(word, []), new.get(word, [])
        if len(o) != len(n):
            problems.append(f"{path}: {word} has {len(n)} members, the baseline {len(o)}")
            continue
        for i, (a, b) in enumerate(zip(o, n)):
            compare(old_root, new_root, a, b, f"{path}/{word}/{i}", problems, depth + 1)
    for word in ("not", "if", "then", "else", "dependentSchemas", "patternProperties"):
        if word in new and old.get(word) != new.get(word):
            problems.append(f"{path}: {word} changed")


def breaking_changes(old, new):
    problems = []
    compare(old, new, old, new, "#", problems)
    return problems


# Each case: (name, baseline, new schema, True when the change must pass).
OBJ = {"type": "object", "required": ["a"], "properties": {
    "a": {"type": "string"}, "b": {"enum": ["x", "y"]}, "c": {"$ref": "#/$defs/c"}},
    "$defs": {"c": {"type": "integer", "minimum": 1}}}


def variant(**changes):
    doc = json.loads(json.dumps(OBJ))
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = doc
        for p in parents:
            node = node[p]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return doc


SELF_TESTS = [
    ("identical", OBJ, OBJ, True),
    ("new optional property", OBJ, variant(properties__d={"type": "string"}), True),
    ("new description", OBJ, variant(properties__a={"type": "string", "description": "x"}), True),
    ("a type widened", OBJ, variant(properties__a={"type": ["string", "null"]}), True),
    ("minimum lowered", OBJ, variant(**{"$defs__c": {"type": "integer", "minimum": 0}}), True),
    ("a property removed", OBJ, variant(properties__b=None), False),
    ("a property renamed", OBJ,
     variant(properties__b=None, properties__bb={"enum": ["x", "y"]}), False),
    ("a type changed", OBJ, variant(properties__a={"type": "integer"}), False),
    ("a type changed behind $ref", OBJ, variant(**{"$defs__c": {"type": "string"}}), False),
    ("a new required property", OBJ,
     variant(required=["a", "d"], properties__d={"type": "string"}), False),
    ("an optional property made required", OBJ, variant(required=["a", "b"]), False),
    ("an enum narrowed", OBJ, variant(properties__b={"enum": ["x"]}), False),
    ("a closed enum widened", OBJ, variant(properties__b={"enum": ["x", "y", "z"]}), False),
    ("an open enum widened", variant(properties__b={"enum": ["x", "y"], "x-open-enum": True}),
     variant(properties__b={"enum": ["x", "y", "z"], "x-open-enum": True}), True),
    ("a pattern added", OBJ, variant(properties__a={"type": "string", "pattern": "^a"}), False),
    ("a const changed", variant(properties__a={"const": "v1"}),
     variant(properties__a={"const": "v2"}), False),
    ("a minimum raised", OBJ, variant(**{"$defs__c": {"type": "integer", "minimum": 2}}), False),
    ("additionalProperties tightened", OBJ, variant(additionalProperties=False), False),
    ("additionalProperties loosened", variant(additionalProperties=False), OBJ, True),
    ("array items retyped", {"type": "array", "items": {"type": "string"}},
     {"type": "array", "items": {"type": "object"}}, False),
]


def self_test():
    failures = []
    for name, old, new, ok in SELF_TESTS:
        problems = breaking_changes(old, new)
        if (not problems) != ok:
            failures.append(f"self-test {name!r}: expected {'pass' if ok else 'a breaking change'}"
                            f", got {problems or 'pass'}")
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    print(f"self-test: {len(SELF_TESTS) - len(failures)}/{len(SELF_TESTS)} cases as expected")
    return not failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", type=pathlib.Path)
    ap.add_argument("--schema", type=pathlib.Path)
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    ok = True
    if args.self_test:
        ok = self_test()
    if args.baseline and args.schema:
        old = json.loads(args.baseline.read_text(encoding="utf-8"))
        new = json.loads(args.schema.read_text(encoding="utf-8"))
        problems = breaking_changes(old, new)
        for p in problems:
            print(f"BREAKING {args.schema.name}: {p}", file=sys.stderr)
        if problems:
            print(f"{args.schema} breaks {args.baseline}: {len(problems)} changes. Within "
                  "wiregate.story/1 only optional properties may be added; anything else is "
                  "wiregate.story/2 (docs/consumer-guide.md)")
            ok = False
        else:
            print(f"{args.schema} is compatible with {args.baseline}")
    elif not args.self_test:
        ap.error("give --baseline and --schema, or --self-test")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
