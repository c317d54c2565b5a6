"""Metric checks for tests/tools/check_deploy.py: which metrics the gateway exports (read from
the registrations in gateway/), and whether a PromQL expression of the alert rules or the
Grafana dashboard names only those, with only their labels. PromQL syntax itself is left to
promtool (`check rules`), which is the reference parser."""
import json
import pathlib
import re
import subprocess
import tempfile

import yaml

# r.counter("name", "help" "more help", {"label", ...}) and .gauge/.histogram/.gauge_callback.
_REGISTRATION = re.compile(
    r'\.(counter|gauge|histogram|gauge_callback)\(\s*"(wiregate_[a-z0-9_]+)"\s*,'
    r'\s*((?:"(?:[^"\\]|\\.)*"\s*)+)(?:,\s*\{([^{}]*)\})?', re.S)
# Labels every scraped series has, or that PromQL adds.
_TARGET_LABELS = {"instance", "job", "le"}
_PROMETHEUS_METRICS = {"up": set()}
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
# Words of PromQL that look like identifiers but are no metric: functions, aggregations,
# keywords, duration units inside [..] are stripped before.
_PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "group", "by", "without", "on", "ignoring", "group_left", "group_right",
    "and", "or", "unless", "bool", "offset", "rate", "irate", "increase", "delta", "idelta",
    "deriv", "predict_linear", "histogram_quantile", "absent", "absent_over_time",
    "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time",
    "last_over_time", "changes", "resets", "clamp_min", "clamp_max", "abs", "ceil", "floor",
    "round", "time", "timestamp", "vector", "scalar", "label_replace", "label_join", "sort",
    "sort_desc", "humanize", "inf", "nan",
}


def exported_metrics(gateway_dir):
    """{metric family: set of label names}, from every registration in gateway/**/*.cpp, and
    the "wiregate_*" string literals that no registration we understand names (a metric
    registered some other way, which the checks below would otherwise miss). Histograms also
    yield their _bucket/_sum/_count series."""
    metrics, literals = {}, set()
    for cpp in sorted(pathlib.Path(gateway_dir).rglob("*.cpp")):
        literals |= set(re.findall(r'"(wiregate_[a-z0-9_]+)"', cpp.read_text()))
        for kind, name, _help, labels in _REGISTRATION.findall(cpp.read_text()):
            names = set(re.findall(r'"([a-z_][a-z0-9_]*)"', labels or ""))
            metrics.setdefault(name, set()).update(names)
            if kind == "histogram":
                for suffix in ("_bucket", "_sum", "_count"):
                    metrics.setdefault(name + suffix, set()).update(names)
    return metrics, sorted(literals - set(metrics))


def _strip(expr):
    """The expression without string literals, [range] / offset durations and numbers."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\boffset\s+\w+", "", expr)
    return re.sub(r"\b\d+(\.\d+)?(e[+-]?\d+)?\b", "", expr)


def expr_problems(expr, known):
    """Metric names the gateway does not export, and labels those metrics do not have."""
    problems = []
    text = _strip(expr)
    grouping = re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", text)
    text_wo_grouping = re.sub(r"\b(?:by|without|on|ignoring)\s*\([^)]*\)", "", text)
    matchers = re.findall(r"\{([^}]*)\}", text_wo_grouping)
    bare = re.sub(r"\{[^}]*\}", "", text_wo_grouping)
    used = [w for w in _IDENT.findall(bare) if w not in _PROMQL_WORDS]
    catalogue = dict(_PROMETHEUS_METRICS, **known)
    labels = set(_TARGET_LABELS)
    for name in used:
        if name not in catalogue:
            problems.append(f"metric {name} is not exported by the gateway")
        else:
            labels |= catalogue[name]
    if not used:
        problems.append("names no metric")
    for group in grouping:
        for label in filter(None, (s.strip() for s in group.split(","))):
            if label not in labels:
                problems.append(f"groups by label {label!r}, which {', '.join(used)} lack")
    for m in matchers:
        for label in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", m):
            if label not in labels and label != "__name__":
                problems.append(f"matches label {label!r}, which {', '.join(used)} lack")
    return problems


def promtool_parses(promtool, exprs):
    """Runs `promtool check rules` on the expressions as recording rules; returns its output
    when it refuses any of them, else None."""
    rules = {"groups": [{"name": "exprs", "rules": [
        {"record": f"check:expr_{i}", "expr": e} for i, e in enumerate(exprs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        yaml.safe_dump(rules, f)
        f.flush()
        run = subprocess.run([promtool, "check", "rules", f.name], capture_output=True,
                             text=True, timeout=60)
    return None if run.returncode == 0 else (run.stdout + run.stderr).strip()


def check_alerts(path, known, promtool, report):
    """The alert rules file: promtool check + unit tests, then our metric/label checks."""
    if promtool:
        for cmd in (["check", "rules", path.name], ["test", "rules", "alerts.test.yaml"]):
            run = subprocess.run([promtool] + cmd, cwd=path.parent, capture_output=True,
                                 text=True, timeout=120)
            report.result(f"promtool {' '.join(cmd)}", run.returncode == 0,
                          (run.stdout + run.stderr).strip().splitlines()[-1:])
    doc = yaml.safe_load(path.read_text())
    alerts, used = 0, set()
    for group in doc["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            alerts += 1
            for p in expr_problems(rule["expr"], known):
                report.fail(f"{path.name}: {name}: {p}")
            used |= set(_IDENT.findall(_strip(rule["expr"]))) & set(known)
            if "alert" in rule:
                if rule.get("labels", {}).get("severity") not in ("warning", "critical"):
                    report.fail(f"{path.name}: {name}: severity must be warning or critical")
                for key in ("summary", "description"):
                    if not rule.get("annotations", {}).get(key):
                        report.fail(f"{path.name}: {name}: no {key} annotation")
    report.ok(f"{path.name}: {alerts} rules name only exported metrics and their labels "
              f"({len(used)} metrics used)")
    # The checker must catch a metric the gateway does not export, or it proves nothing.
    if not expr_problems("rate(wiregate_no_such_metric_total[5m])", known):
        report.fail("deploy_metrics: an unknown metric went unnoticed")
    if not expr_problems("sum by (reason) (wiregate_spool_depth)", known):
        report.fail("deploy_metrics: an unknown label went unnoticed")


def _grafana_expr(expr):
    """A dashboard query with Grafana's variables replaced by values PromQL accepts."""
    for var, value in (("$__rate_interval", "5m"), ("$__interval", "1m"), ("$__range", "1h"),
                       ("${datasource}", "x")):
        expr = expr.replace(var, value)
    return re.sub(r"\$\{?([a-z_]+)(?::\w+)?\}?", ".*", expr)


def check_dashboard(path, known, promtool, report):
    dash = json.loads(path.read_text())
    panels = [p for p in dash["panels"] if p.get("type") != "row"]
    ids = [p["id"] for p in dash["panels"]]
    if len(ids) != len(set(ids)):
        report.fail(f"{path.name}: panel ids are not unique")
    cells = set()
    exprs, used = [], set()
    for p in dash["panels"]:
        g = p.get("gridPos") or {}
        if not all(k in g for k in ("h", "w", "x", "y")) or g["x"] + g["w"] > 24:
            report.fail(f"{path.name}: panel {p['id']} ({p.get('title')}): bad gridPos {g}")
            continue
        mine = {(g["x"] + dx, g["y"] + dy) for dx in range(g["w"]) for dy in range(g["h"])}
        if mine & cells:
            report.fail(f"{path.name}: panel {p['id']} ({p.get('title')}) overlaps another")
        cells |= mine
    for p in panels:
        if not p.get("targets"):
            report.fail(f"{path.name}: panel {p['id']} ({p.get('title')}) has no query")
        for t in p.get("targets", []):
            if (t.get("datasource") or p.get("datasource") or {}).get("uid") != "${datasource}":
                report.fail(f"{path.name}: panel {p['id']}: datasource is not ${{datasource}}")
            expr = _grafana_expr(t["expr"])
            exprs.append(expr)
            for problem in expr_problems(expr, known):
                report.fail(f"{path.name}: panel {p['id']} ({p['title']}): {problem}")
            used |= set(_IDENT.findall(_strip(expr))) & set(known)
    for var in dash.get("templating", {}).get("list", []):
        q = var.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = re.match(r"label_values\((\w+),\s*(\w+)\)", q or "")
        if var["type"] == "query" and not (m and m.group(2) in known.get(m.group(1), set())
                                           | _TARGET_LABELS):
            report.fail(f"{path.name}: variable {var['name']}: query {q!r} is not "
                        "label_values(<exported metric>, <its label>)")
    if promtool:
        refused = promtool_parses(promtool, exprs)
        report.result(f"promtool parses the {len(exprs)} dashboard queries", refused is None,
                      [refused] if refused else [])
    families = {m for m in known if not re.search(r"_(bucket|sum|count)$", m) or m in used}
    unused = sorted(m for m in families if m not in used and m + "_bucket" not in used)
    report.ok(f"{path.name}: {len(panels)} panels, {len(exprs)} queries on exported metrics; "
              f"metrics on no panel: {', '.join(unused) or 'none'}")


def live_families(wiregate, base_config):
    """The metric families a running `wiregate serve` lists on /metrics (# TYPE lines): the
    base config on free loopback ports, a scratch spool, and a broker address nothing listens
    on (the metrics do not need Kafka). Returns (families, error)."""
    import socket
    import time
    import urllib.request

    def free_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    cfg = yaml.safe_load(pathlib.Path(base_config).read_text())
    listeners = cfg["listeners"]
    for entry in listeners.get("http", []) + listeners.get("streams", []) + [listeners["admin"]]:
        entry["address"], entry["port"] = "127.0.0.1", free_port()
    cfg["kafka"] = {"brokers": "127.0.0.1:9"}
    cfg["gateway"]["drain_timeout_ms"] = 1000
    with tempfile.TemporaryDirectory() as tmp:
        cfg["spool"]["dir"] = str(pathlib.Path(tmp) / "spool")
        path = pathlib.Path(tmp) / "config.yaml"
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
        url = f"http://127.0.0.1:{listeners['admin']['port']}/metrics"
        with open(pathlib.Path(tmp) / "log", "w") as log:
            proc = subprocess.Popen([wiregate, "serve", "--config", str(path)], stdout=log,
                                    stderr=subprocess.STDOUT)
        try:
            deadline, text = time.monotonic() + 20, None
            while text is None and time.monotonic() < deadline and proc.poll() is None:
                try:
                    text = urllib.request.urlopen(url, timeout=2).read().decode()
                except OSError:
                    time.sleep(0.1)  # bounded poll until the admin listener answers
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if text is None:
            return set(), ("no /metrics answer: " +
                           (pathlib.Path(tmp) / "log").read_text()[-500:].strip())
    return set(re.findall(r"^# TYPE (\S+) ", text, re.M)), None


def check_docs(root, known, report):
    """Every `wiregate_*` metric the Markdown docs name is one the gateway exports, and every
    label they give it in braces is one of its labels: docs cannot promise a series that
    /metrics does not serve."""
    pages = (sorted(root.glob("*.md")) + sorted((root / "docs").rglob("*.md"))
             + sorted((root / "deploy").rglob("*.md")) + sorted((root / "tests").glob("*.md")))
    problems = []
    for page in pages:
        text = page.read_text()
        where = page.relative_to(root)
        for name in sorted(set(re.findall(r"\bwiregate_[a-z0-9_]+\b", text))):
            if name not in known and not name.endswith("_"):
                problems.append(f"{where}: {name} is not exported")
        for name, inner in re.findall(r"\b(wiregate_[a-z0-9_]+)\{([^}]*)\}", text):
            for part in inner.split(","):
                label = part.split("=")[0].strip()
                if (name in known and re.fullmatch(r"[a-z_][a-z0-9_]*", label)
                        and label not in known[name] | _TARGET_LABELS):
                    problems.append(f"{where}: {name} has no label {label}")
    report.result(f"docs: the metric names and labels of {len(pages)} pages are exported",
                  not problems, problems)
