"""Kubernetes checks for tests/tools/check_deploy.py: the manifests of deploy/k8s against the
API's JSON schemas (kubernetes-validate, offline), and against the config they carry."""
import copy
import tempfile

import yaml

from deploy_common import deploy_check_referenced, config_ports, load_yaml_all, run, \
    run_check_config


# ---------------------------------------------------------------- Kubernetes

def check_k8s(root, tools, wiregate, report):
    k8s = root / "deploy/k8s"
    manifests = sorted(p for p in k8s.glob("*.yaml") if p.name != "kustomization.yaml")
    kv = report.tool(tools / "venv/bin/kubernetes-validate", "kubernetes-validate")
    if kv:
        for version in ("1.30.0", "1.37.0"):
            rc, out = run([kv, "--strict", "--quiet", "-k", version] + [str(p) for p in manifests])
            report.result(f"k8s: kubernetes-validate --strict, API {version}, "
                          f"{len(manifests)} files", rc == 0, out.splitlines())
    docs = {(d["kind"], d["metadata"]["name"]): d for p in manifests for d in load_yaml_all(p)}
    kust = load_yaml_all(k8s / "kustomization.yaml")[0]
    unlisted = {p.name for p in manifests} - set(kust["resources"]) - {"secret.example.yaml"}
    report.result("k8s: kustomization.yaml lists every manifest but the example Secret",
                  not unlisted and all((k8s / r).is_file() for r in kust["resources"]),
                  [f"unlisted: {unlisted}"])
    cfg_path = root / "deploy/config/kubernetes.yaml"
    text = docs[("ConfigMap", "wiregate-config")]["data"]["config.yaml"]
    report.result("k8s: the ConfigMap's config.yaml is deploy/config/kubernetes.yaml verbatim",
                  text == cfg_path.read_text(), [])
    run_check_config(wiregate, cfg_path, text, report, "k8s ConfigMap config")
    cfg = yaml.safe_load(text)
    sts = docs[("StatefulSet", "wiregate")]
    pod = sts["spec"]["template"]["spec"]
    c = pod["containers"][0]
    problems = []
    files, envs = set(), set()
    deploy_check_referenced(cfg, files, envs)
    vol = next(v for v in pod["volumes"] if v["name"] == "config")["projected"]["sources"]
    projected = {i["path"] for s in vol for k in ("configMap", "secret") if k in s
                 for i in s[k]["items"]}
    secret = docs[("Secret", "wiregate-secrets")]["stringData"]
    if projected != files | {"config.yaml"}:
        problems.append(f"projected files {sorted(projected)} vs config files {sorted(files)}")
    for s in vol:
        for i in s.get("secret", {}).get("items", []):
            if i["key"] not in secret:
                problems.append(f"secret key {i['key']} not in secret.example.yaml")
    if envs != {e["name"] for e in c.get("env", [])}:
        problems.append(f"config reads {envs}, container sets {[e['name'] for e in c['env']]}")
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    admin = cfg["listeners"]["admin"]["port"]
    if set(ports.values()) != config_ports(cfg) or ports.get("admin") != admin:
        problems.append(f"container ports {ports} vs config {config_ports(cfg)}")
    for probe, target in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        if c[probe]["httpGet"] != {"path": target, "port": "admin"}:
            problems.append(f"{probe} is not GET {target} on the admin port")
    ann = sts["spec"]["template"]["metadata"]["annotations"]
    if ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/port") != str(admin):
        problems.append("no Prometheus scrape annotations for the admin port")
    sc, csc = pod["securityContext"], c["securityContext"]
    if not (sc.get("runAsNonRoot") and csc.get("readOnlyRootFilesystem")
            and csc.get("allowPrivilegeEscalation") is False):
        problems.append("not runAsNonRoot + readOnlyRootFilesystem + no privilege escalation")
    if pod["terminationGracePeriodSeconds"] < cfg["gateway"]["drain_timeout_ms"] / 1000 + 15:
        problems.append("terminationGracePeriodSeconds does not cover the drain and a flush")
    claim = sts["spec"]["volumeClaimTemplates"][0]
    size = claim["spec"]["resources"]["requests"]["storage"]
    units = {"Gi": 2**30, "Mi": 2**20, "Ti": 2**40}
    if int(size[:-2]) * units[size[-2:]] <= cfg["spool"]["max_bytes"]:
        problems.append(f"spool volume {size} is not above spool.max_bytes")
    mount = next(m for m in c["volumeMounts"] if m["name"] == claim["metadata"]["name"])
    if not cfg["spool"]["dir"].startswith(mount["mountPath"] + "/"):
        problems.append("spool.dir is not on the spool volume")
    for svc in (d for (k, _), d in docs.items() if k == "Service"):
        for p in svc["spec"]["ports"]:
            if p["targetPort"] not in ports:
                problems.append(f"Service {svc['metadata']['name']}: no port {p['targetPort']}")
    if sts["spec"]["serviceName"] not in {n for k, n in docs if k == "Service"}:
        problems.append("the StatefulSet's serviceName is no Service")
    if sts["spec"]["selector"]["matchLabels"] != docs[("PodDisruptionBudget", "wiregate")][
            "spec"]["selector"]["matchLabels"]:
        problems.append("the PodDisruptionBudget selects other pods")
    report.result("k8s: projected secrets, env, ports, probes, scrape annotations, security "
                  "context, grace period, spool volume agree with the config", not problems,
                  problems)
    if kv:  # the validator must refuse a misspelt field
        bad = copy.deepcopy(sts)
        bad["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
            yaml.safe_dump(bad, f)
            if run([kv, "--strict", "--quiet", f.name])[0] == 0:
                report.fail("kubernetes-validate accepted a misspelt field: proves nothing")
