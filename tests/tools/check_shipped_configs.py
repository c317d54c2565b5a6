#!/usr/bin/env python3
"""Checks every config shipped in deploy/config/ two ways: against
schemas/gateway-config.schema.json (PyYAML + jsonschema) and with `wiregate check-config`.

usage: check_shipped_configs.py --wiregate BIN --schema FILE --configs DIR

Configs whose secrets come from files and environment variables (production.example.yaml) are
checked from a scratch copy: every relative file they name (secrets, TLS) is created there with
placeholder content, and every `env:` variable is set to a placeholder for check-config. Shipped
configs must therefore name files relative to themselves. Also checks that the schema's format
list is what `wiregate formats` prints, and that both checkers reject an unknown key (so this
test can fail). Exit 0 when all is well, 1 on any failure, 77 (ctest: skipped) without PyYAML
or jsonschema."""
import argparse
import copy
import json
import os
import pathlib
import subprocess
import sys
import tempfile

try:
    import yaml
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)


def referenced(node, files, envs):
    """Collects the file names and environment variables a parsed config refers to."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "cert_file", "key_file", "client_ca_file") and isinstance(value, str):
                files.add(value)
            elif key == "env" and isinstance(value, str):
                envs.add(value)
            else:
                referenced(value, files, envs)
    elif isinstance(node, list):
        for item in node:
            referenced(item, files, envs)


def schema_errors(validator, doc):
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
            for e in validator.iter_errors(doc)]


def check_config(wiregate, text, doc, name):
    """Runs check-config on a scratch copy with placeholder secrets; returns (ok, output)."""
    files, envs = set(), set()
    referenced(doc, files, envs)
    env = dict(os.environ)
    for var in envs:
        env[var] = f"placeholder-{var.lower()}"
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for f in files:
            if pathlib.PurePath(f).is_absolute() or ".." in pathlib.PurePath(f).parts:
                return False, f"names {f!r}: shipped configs name files relative to themselves"
            (root / f).parent.mkdir(parents=True, exist_ok=True)
            (root / f).write_text("placeholder\n")
        path = root / name
        path.write_text(text, encoding="utf-8")
        run = subprocess.run([wiregate, "check-config", str(path)], env=env,
                             capture_output=True, text=True, timeout=60)
        out = (run.stdout + run.stderr).replace(str(path), name)
        return run.returncode == 0 and run.stdout.startswith("ok: "), out.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiregate", required=True)
    ap.add_argument("--schema", required=True, type=pathlib.Path)
    ap.add_argument("--configs", required=True, type=pathlib.Path)
    args = ap.parse_args()

    schema = json.loads(args.schema.read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    failures = []

    formats = subprocess.run([args.wiregate, "formats"], capture_output=True, text=True,
                             check=True).stdout.split("\n")
    built = sorted(line.split()[0] for line in formats if line.strip())
    listed = sorted(schema["$defs"]["format"]["enum"])
    if built != listed:
        failures.append(f"{args.schema.name}: $defs.format lists {listed}, "
                        f"but wiregate formats says {built}")

    configs = sorted(p for p in args.configs.iterdir() if p.suffix in (".yaml", ".yml"))
    if not any(p.name == "local.yaml" for p in configs):
        failures.append(f"{args.configs}: local.yaml is missing")
    for path in configs:
        text = path.read_text(encoding="utf-8")
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            failures.append(f"{path.name}: not YAML for PyYAML: {e}")
            continue
        failures += [f"{path.name}: schema: {e}" for e in schema_errors(validator, doc)]
        ok, out = check_config(args.wiregate, text, doc, path.name)
        if not ok:
            failures.append(f"{path.name}: check-config failed:\n{out}")
        else:
            print(out)

    # Both checkers must refuse an unknown key, or the checks above prove nothing.
    if configs:
        text = configs[0].read_text(encoding="utf-8")
        doc = copy.deepcopy(yaml.safe_load(text))
        doc["gateway"] = dict(doc.get("gateway") or {}, unknown_key_for_test=1)
        if not schema_errors(validator, doc):
            failures.append("the schema accepts an unknown key")
        ok, _ = check_config(args.wiregate, yaml.safe_dump(doc, allow_unicode=True), doc,
                             configs[0].name)
        if ok:
            failures.append("check-config accepts an unknown key")

    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    print(f"{len(configs)} configs checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
