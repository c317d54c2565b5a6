"""Helpers shared by tests/tools/check_deploy.py and its parts: the report, running a tool,
a YAML loader that refuses duplicate keys, and what a gateway config listens on or refers to."""
import json
import pathlib
import shutil
import subprocess

import yaml

from check_shipped_configs import check_config, referenced


class Report:
    def __init__(self):
        self.failures, self.missing, self.passed = [], [], 0

    def ok(self, what):
        self.passed += 1
        print(f"ok   {what}")

    def fail(self, what):
        self.failures.append(what)
        print(f"FAIL {what}")

    def result(self, what, good, detail=()):
        if good:
            self.ok(what)
        else:
            self.fail(what + "".join(f"\n     {d}" for d in detail))

    def tool(self, path, what):
        if path and (shutil.which(path) or pathlib.Path(path).is_file()):
            return str(path)
        self.missing.append(what)
        print(f"skip {what}: not installed (scripts/setup installs it)")
        return None


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    return r.returncode, (r.stdout + r.stderr).strip()


class UniqueKeyLoader(yaml.SafeLoader):
    pass


def _mapping(loader, node, deep=False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {sorted(dup)}",
                                                node.start_mark)
    return loader.construct_mapping(node, deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load_yaml_all(path):
    return [d for d in yaml.load_all(path.read_text(encoding="utf-8"), UniqueKeyLoader) if d]


def check_parse(deploy, report):
    files = [p for p in sorted(deploy.rglob("*")) if p.suffix in (".yaml", ".yml", ".json")
             and not {"libs", "target"} & set(p.relative_to(deploy).parts)]
    for p in files:
        try:
            json.loads(p.read_text()) if p.suffix == ".json" else load_yaml_all(p)
        except (ValueError, yaml.YAMLError) as e:
            report.fail(f"{p.relative_to(deploy.parent)}: does not parse: {e}")
    report.ok(f"{len(files)} YAML/JSON files under deploy/ parse, no duplicate keys")


def config_ports(cfg):
    ports = {l["port"] for l in cfg["listeners"].get("http", [])}
    ports |= {s["port"] for s in cfg["listeners"].get("streams", [])}
    return ports | {cfg["listeners"]["admin"]["port"]}


def run_check_config(wiregate, path, text, report, what):
    good, out = check_config(wiregate, text, yaml.safe_load(text), path.name)
    report.result(f"{what}: wiregate check-config: {out.splitlines()[0] if good else ''}", good,
                  [] if good else out.splitlines())


def deploy_check_referenced(node, files, envs):
    referenced(node, files, envs)
