#!/usr/bin/env python3
"""Checks the deployment artefacts of deploy/ offline (ctest: deploy.artefacts).

usage: check_deploy.py --wiregate BIN --root REPO [--tools DIR]

- every YAML and JSON file under deploy/ parses (duplicate keys refused);
- Dockerfile: hadolint, and our rules (two stages on Debian 12, build packages as scripts/setup
  names them, runtime packages cover what `ldd wiregate` needs, non-root USER, HEALTHCHECK on
  /healthz, ENTRYPOINT, EXPOSE and VOLUME agree with the compose config);
- systemd unit: `systemd-analyze verify` (on a copy whose ExecStart is the built binary, since
  verify wants it to exist) must print nothing, `systemd-analyze security --offline` must score
  at most 2.0, the hardening the unit promises is there, TimeoutStopSec covers the drain;
- compose: the compose-spec schema (check-jsonschema), KRaft, the broker's KAFKA_* settings
  accepted by Kafka's own KafkaConfig (java, deploy/kafka/libs), the EXTERNAL listener
  advertised as localhost:<port> and that port published to the host, the topic creator creates
  exactly routing.topics, start order, healthchecks, config and variables agree;
- Kubernetes: kubernetes-validate --strict against two API versions, the ConfigMap is
  deploy/config/kubernetes.yaml verbatim, the projected files, env, ports, probes, grace period
  and volume size agree with that config;
- the configs embedded or mounted (ConfigMap, compose) pass `wiregate check-config`;
- the metrics: read from the registrations in gateway/, and compared with the families a
  running `wiregate serve` lists on /metrics (free loopback ports, no broker, a few seconds);
- Prometheus rules and the Grafana dashboard: see deploy_metrics.py (promtool check and test).
Each checker is also shown a broken input it must refuse. Exit 0 when all is well, 1 on any
failure, 77 (skipped) when no check failed but a tool was missing (run scripts/setup)."""
import argparse
import copy
import json
import os
import pathlib
import re
import sys
import tempfile

try:
    import yaml
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import deploy_metrics  # noqa: E402
from deploy_common import Report, check_parse, config_ports, deploy_check_referenced, \
    load_yaml_all, run, run_check_config  # noqa: E402
from deploy_k8s import check_k8s  # noqa: E402


# ---------------------------------------------------------------- Dockerfile

def dockerfile_instructions(text):
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    out, buf = [], ""
    for line in text.splitlines():
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        buf += line
        word, _, rest = buf.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def check_dockerfile(root, tools, wiregate, compose_cfg, report):
    path = root / "deploy/docker/Dockerfile"
    hadolint = report.tool(tools / "venv/bin/hadolint", "hadolint")
    if hadolint:
        rc, out = run([hadolint, "--config", str(path.parent / ".hadolint.yaml"), str(path)])
        report.result("Dockerfile: hadolint", rc == 0, out.splitlines())
    known = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
             "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}
    ins = dockerfile_instructions(path.read_text())
    for word, _ in ins:
        if word not in known:
            report.fail(f"Dockerfile: unknown instruction {word}")
    stages = [i for i, (w, _) in enumerate(ins) if w == "FROM"]
    froms = [ins[i][1].split()[0] for i in stages]
    if froms != ["debian:bookworm", "debian:bookworm-slim"]:
        report.fail(f"Dockerfile: stages are {froms}, not debian:bookworm then bookworm-slim")
    build, final = ins[stages[0]:stages[-1]], ins[stages[-1]:]

    def apt_packages(stage):
        text = " ".join(a for w, a in stage if w == "RUN")
        m = re.search(r"apt-get install (.*?)(&&|$)", text)
        return {w for w in m.group(1).split() if not w.startswith("-")} if m else set()

    setup = (root / "scripts/setup").read_text()
    block = re.search(r"^PACKAGES=\((.*?)^\)", setup, re.S | re.M).group(1)
    listed = set(re.sub(r"#.*", "", block).split())
    extra = apt_packages(build) - listed
    report.result("Dockerfile: build packages are named as in scripts/setup", not extra,
                  [f"not in scripts/setup: {sorted(extra)}"])
    needed = set()
    for lib in re.findall(r"=> (/\S+)", run(["ldd", wiregate])[1]):
        rc, out = run(["dpkg", "-S", os.path.realpath(lib)])
        if rc != 0:
            rc, out = run(["dpkg", "-S", lib])
        needed |= {out.split(":")[0]} if rc == 0 else {f"? {lib}"}
    # libc6 is in every image; the asan preset's binary also links the sanitizer runtimes.
    needed = {n for n in needed if not re.match(r"lib(asan|ubsan|lsan|tsan)\d", n)}
    lacking = needed - apt_packages(final) - {"libc6"}
    report.result(f"Dockerfile: runtime stage installs the {len(needed)} packages the binary "
                  "links (ldd + dpkg -S)", not lacking, [f"missing: {sorted(lacking)}"])
    user = [a for w, a in final if w == "USER"]
    report.result("Dockerfile: final stage runs as a non-root USER",
                  bool(user) and user[-1].split(":")[0] not in ("root", "0"), [f"USER {user}"])
    health = " ".join(a for w, a in final if w == "HEALTHCHECK")
    admin = compose_cfg["listeners"]["admin"]["port"]
    report.result("Dockerfile: HEALTHCHECK probes /healthz on the admin port",
                  f"127.0.0.1:{admin}/healthz" in health, [health])
    entry = [json.loads(a) for w, a in final if w == "ENTRYPOINT"]
    report.result("Dockerfile: ENTRYPOINT is wiregate serve --config /etc/wiregate/config.yaml",
                  entry == [["wiregate", "serve", "--config", "/etc/wiregate/config.yaml"]],
                  [str(entry)])
    exposed = {int(p.split("/")[0]) for w, a in final if w == "EXPOSE" for p in a.split()}
    report.result("Dockerfile: EXPOSE lists the compose config's ports",
                  exposed == config_ports(compose_cfg), [f"{exposed} vs {config_ports(compose_cfg)}"])
    volumes = " ".join(a for w, a in final if w == "VOLUME")
    report.result("Dockerfile: the spool's parent is a VOLUME", "/var/lib/wiregate" in volumes
                  and compose_cfg["spool"]["dir"].startswith("/var/lib/wiregate/"), [volumes])
    ignore = (root / ".dockerignore").read_text().split()
    for w, a in build + final:
        if w == "COPY" and "--from" not in a:
            for src in a.split()[:-1]:
                if not (root / src).exists() or f"!{src}" not in ignore:
                    report.fail(f"Dockerfile: COPY {src}: missing, or not let in by .dockerignore")
    report.ok(f"Dockerfile: {len(ins)} instructions known, {len(stages)} stages")


# ---------------------------------------------------------------- systemd

def check_systemd(root, wiregate, report):
    unit = root / "deploy/systemd/wiregate.service"
    analyze = report.tool("systemd-analyze", "systemd-analyze")
    text = unit.read_text()
    keys = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            k, _, v = line.partition("=")
            keys.setdefault(k.strip(), []).append(v.strip())
    want = {"DynamicUser": "yes", "StateDirectory": "wiregate", "ConfigurationDirectory":
            "wiregate", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
            "PrivateDevices": "yes", "NoNewPrivileges": "yes", "CapabilityBoundingSet": "",
            "MemoryDenyWriteExecute": "yes", "LockPersonality": "yes",
            "Restart": "on-failure", "ExecReload": "/bin/kill -HUP $MAINPID"}
    wrong = [f"{k}={keys.get(k)}" for k, v in want.items() if v not in keys.get(k, [])]
    for k in ("RestrictAddressFamilies", "LimitNOFILE", "SystemCallFilter"):
        if k not in keys:
            wrong.append(f"{k} missing")
    if "@system-service" not in keys.get("SystemCallFilter", []):
        wrong.append("SystemCallFilter=@system-service missing")
    report.result("systemd: the unit carries its hardening", not wrong, wrong)
    cfg = yaml.safe_load((root / "deploy/config/production.example.yaml").read_text())
    stop = int(re.match(r"\d+", keys["TimeoutStopSec"][0]).group())
    drain = cfg["gateway"]["drain_timeout_ms"] / 1000
    report.result(f"systemd: TimeoutStopSec={stop}s covers the drain ({drain:.0f}s) and a flush",
                  stop >= drain + 15, [])
    report.result("systemd: ExecStart reads /etc/wiregate/config.yaml; the spool is in the "
                  "StateDirectory", "--config /etc/wiregate/config.yaml" in keys["ExecStart"][0]
                  and cfg["spool"]["dir"].startswith("/var/lib/wiregate/"), [])
    if not analyze:
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy_ = pathlib.Path(tmp) / "wiregate.service"
        copy_.write_text(text.replace("/usr/local/bin/wiregate", str(pathlib.Path(wiregate)
                                                                     .resolve())))
        rc, out = run([analyze, "verify", str(copy_)])
        report.result("systemd-analyze verify (ExecStart pointed at the built binary)",
                      rc == 0 and not out, out.splitlines())
        rc, out = run([analyze, "security", "--offline=yes", "--threshold=20", str(copy_)])
        score = re.search(r"Overall exposure level for \S+: ([\d.]+ \w+)", out)
        report.result(f"systemd-analyze security --offline: exposure "
                      f"{score.group(1) if score else '?'} (threshold 2.0)", rc == 0 and score,
                      out.splitlines()[-3:])
        copy_.write_text(copy_.read_text().replace("ProtectSystem=", "ProtectSystm="))
        rc, out = run([analyze, "verify", str(copy_)])
        if rc == 0 and not out:
            report.fail("systemd-analyze verify accepted a misspelt key: the check proves nothing")


# ---------------------------------------------------------------- compose

# Variables of the apache/kafka image that are no broker property.
_KAFKA_IMAGE_VARS = {"KAFKA_VERSION", "KAFKA_HEAP_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS",
                     "KAFKA_JMX_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS",
                     "KAFKA_LOG4J_ROOT_LOGLEVEL", "KAFKA_LOG4J_LOGGERS", "KAFKA_JMX_PORT",
                     "KAFKA_TOOLS_LOG4J_LOGLEVEL", "KAFKA_JMX_HOSTNAME"}


def check_kafka_env(root, env, report):
    """The broker's KAFKA_* variables, turned into properties as the apache/kafka image does
    (KAFKA_ dropped, lower case, ___ -> -, __ -> _, _ -> .), checked by Kafka's own KafkaConfig
    from the jars scripts/setup fetches (deploy/kafka/libs, same version as the image)."""
    java = report.tool("java", "java")
    libs = root / "deploy/kafka/libs"
    if not java or not any(libs.glob("kafka-server-*.jar")):
        if java:
            report.tool(None, "Kafka jars (deploy/kafka/libs)")
        return
    props = [f"cluster.id={env['CLUSTER_ID']}"]
    for key, value in env.items():
        if key.startswith("KAFKA_") and key not in _KAFKA_IMAGE_VARS:
            name = re.sub(r"_{1,3}", lambda m: {"_": ".", "__": "_", "___": "-"}[m.group()],
                          key[6:].lower())
            props.append(f"{name}={value}")
    rc, out = run([java, "-cp", f"{libs}/*", str(pathlib.Path(__file__).parent /
                                                 "KafkaBrokerConfig.java")] + props)
    report.result(f"compose: Kafka's KafkaConfig accepts the broker's {len(props) - 1} "
                  "properties and the cluster id", rc == 0 and out.endswith("ok"),
                  out.splitlines()[-1:])


def listener_map(value):
    """'NAME://host:port,...' as {NAME: (host, port)}."""
    out = {}
    for item in filter(None, (s.strip() for s in value.split(","))):
        name, _, addr = item.partition("://")
        host, _, port = addr.rpartition(":")
        out[name] = (host, int(port))
    return out


def kafka_host_listener(kafka):
    """Problems with the broker's EXTERNAL listener, the one tools on the host consume from: it
    is listened on, advertised as localhost:<port>, mapped to a protocol, and that port is
    published to the host (container port = listener port, host port = advertised port)."""
    env, problems = kafka["environment"], []
    listens = listener_map(env.get("KAFKA_LISTENERS", ""))
    advertised = listener_map(env.get("KAFKA_ADVERTISED_LISTENERS", ""))
    protocols = dict(p.split(":", 1) for p in
                     env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "").split(",") if ":" in p)
    if "EXTERNAL" not in listens:
        return ["kafka has no EXTERNAL listener for tools on the host"]
    if "EXTERNAL" not in protocols:
        problems.append("kafka's EXTERNAL listener has no security protocol")
    host, port = advertised.get("EXTERNAL", (None, None))
    if host != "localhost":
        problems.append(f"kafka's EXTERNAL listener is advertised as {host}:{port}, "
                        "not localhost:<port>")
    published = {}
    for spec in kafka.get("ports", []):
        parts = str(spec).split(":")
        published[int(parts[-1].split("/")[0])] = int(parts[-2])
    if published.get(listens["EXTERNAL"][1]) != port:
        problems.append(f"kafka's EXTERNAL listener (container port {listens['EXTERNAL'][1]}) is "
                        f"not published on host port {port}: ports {kafka.get('ports', [])}")
    return problems


def check_compose(root, tools, wiregate, report):
    path = root / "deploy/compose/compose.yaml"
    cfg_path = root / "deploy/config/compose.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    doc = load_yaml_all(path)[0]
    cj = report.tool(tools / "venv/bin/check-jsonschema", "check-jsonschema")
    if cj:
        rc, out = run([cj, "--builtin-schema", "vendor.compose-spec", str(path)])
        report.result("compose: compose-spec schema (check-jsonschema)", rc == 0,
                      out.splitlines())
        bad = copy.deepcopy(doc)
        bad["services"]["wiregate"]["restart_policy"] = "always"
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            yaml.safe_dump(bad, f)
            if run([cj, "--builtin-schema", "vendor.compose-spec", f.name])[0] == 0:
                report.fail("compose-spec schema accepted an unknown key: proves nothing")
    svc = doc["services"]
    env = svc["kafka"]["environment"]
    problems = []
    pom = (root / "deploy/kafka/pom.xml").read_text()
    version = re.search(r"<kafka.version>(.*)</kafka.version>", pom).group(1)
    for name in ("kafka", "kafka-topics"):
        if svc[name]["image"] != f"apache/kafka:{version}":
            problems.append(f"{name} is not apache/kafka:{version} (deploy/kafka/pom.xml)")
    if "controller" not in env.get("KAFKA_PROCESS_ROLES", "") or any("ZOOKEEPER" in k
                                                                      for k in env):
        problems.append("kafka is not in KRaft mode")
    if cfg["kafka"]["brokers"] not in env["KAFKA_ADVERTISED_LISTENERS"]:
        problems.append(f"gateway brokers {cfg['kafka']['brokers']} not advertised by kafka")
    script = " ".join(svc["kafka-topics"]["command"]).replace("\\\n", " ")
    topics = re.search(r"for topic in (.*?);", script, re.S).group(1).split()
    if sorted(topics) != sorted(cfg["routing"]["topics"]):
        problems.append(f"topic creator makes {topics}, routing.topics is "
                        f"{cfg['routing']['topics']}")
    problems += kafka_host_listener(svc["kafka"])
    if svc["kafka-topics"]["depends_on"]["kafka"]["condition"] != "service_healthy":
        problems.append("kafka-topics does not wait for a healthy kafka")
    gw = svc["wiregate"]
    if gw["depends_on"]["kafka-topics"]["condition"] != "service_completed_successfully":
        problems.append("wiregate does not wait for the topics")
    for name in ("kafka", "wiregate"):
        if "test" not in svc[name].get("healthcheck", {}):
            problems.append(f"{name} has no healthcheck")
    if "../config/compose.yaml:/etc/wiregate/config.yaml:ro" not in gw["volumes"]:
        problems.append("wiregate does not mount deploy/config/compose.yaml read-only")
    if not any(v.endswith(":/var/lib/wiregate") for v in gw["volumes"]):
        problems.append("wiregate's spool is not on a volume")
    files, envs = set(), set()
    deploy_check_referenced(cfg, files, envs)
    if envs - set(gw["environment"]):
        problems.append(f"variables the config reads are not passed: {envs - set(gw['environment'])}")
    published = {int(p.split("#")[0].split(":")[-1]) for p in gw["ports"]}
    if published != config_ports(cfg):
        problems.append(f"published ports {published} vs config ports {config_ports(cfg)}")
    if int(gw["stop_grace_period"].rstrip("s")) < cfg["gateway"]["drain_timeout_ms"] / 1000:
        problems.append("stop_grace_period is shorter than the drain")
    if not (path.parent / gw["build"]["context"] / gw["build"]["dockerfile"]).is_file():
        problems.append("build.dockerfile does not exist")
    report.result("compose: apache/kafka of pom.xml's version in KRaft mode, topic creator = "
                  "routing.topics, EXTERNAL listener published as localhost, start order, "
                  "healthchecks, mounts, variables, ports", not problems, problems)
    bad = copy.deepcopy(svc["kafka"])
    bad["ports"] = []
    if not kafka_host_listener(bad):
        report.fail("compose: a Kafka without its EXTERNAL port published passed: proves nothing")
    check_kafka_env(root, env, report)
    run_check_config(wiregate, cfg_path, cfg_path.read_text(), report, "compose config")
    return cfg



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiregate", required=True)
    ap.add_argument("--root", required=True, type=pathlib.Path)
    ap.add_argument("--tools", type=pathlib.Path, help="default: ROOT/.run/deploy-tools")
    args = ap.parse_args()
    root, report = args.root.resolve(), Report()
    tools = (args.tools or root / ".run/deploy-tools").resolve()
    check_parse(root / "deploy", report)
    compose_cfg = check_compose(root, tools, args.wiregate, report)
    check_dockerfile(root, tools, args.wiregate, compose_cfg, report)
    check_systemd(root, args.wiregate, report)
    check_k8s(root, tools, args.wiregate, report)
    known, unparsed = deploy_metrics.exported_metrics(root / "gateway")
    report.result(f"{len(known)} metric series found registered in gateway/, every "
                  "\"wiregate_*\" literal among them", len(known) > 20 and not unparsed,
                  [f"registered in a way this check does not read: {unparsed}"])
    live, error = deploy_metrics.live_families(args.wiregate, root / "deploy/config/local.yaml")
    families = {m for m in known if not re.search(r"_(bucket|sum|count)$", m) or m not in
                {f + s for f in known for s in ("_bucket", "_sum", "_count")}}
    report.result(f"wiregate serve's /metrics lists the same {len(live)} families",
                  not error and live == families,
                  [error or f"only in the source: {sorted(families - live)}; only on /metrics: "
                   f"{sorted(live - families)}"])
    deploy_metrics.check_docs(root, known, report)
    promtool = report.tool(tools / "prometheus/usr/bin/promtool", "promtool")
    deploy_metrics.check_alerts(root / "deploy/prometheus/alerts.yaml", known, promtool, report)
    deploy_metrics.check_dashboard(root / "deploy/grafana/wiregate-dashboard.json", known,
                                   promtool, report)
    print(f"{report.passed} passed, {len(report.failures)} failed"
          + (f", skipped: {', '.join(report.missing)}" if report.missing else ""))
    if report.failures:
        return 1
    return 77 if report.missing else 0


if __name__ == "__main__":
    sys.exit(main())
