"""The end-to-end half of bench/run-all: `wiregate serve` under wiregate-loadgen, the topic read
back with kcat, /proc figures of the gateway process, and the raw librdkafka baseline."""
import http.client, json, os, signal, socket, subprocess, time
from pathlib import Path

import yaml

FIXTURE = "tests/fixtures/ap-json/good/001-new.json"
TOKEN = "5b1a2c3d4e5f40718293a4b5c6d7e8f9"  # its itemid: every request gets a new one
FEED, KEY, PROFILE, FORMAT = "ap", "dev-ap-key", "ap", "ap-json"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def make_config(root, run_dir, port, brokers, prefix, fsync):
    cfg = yaml.safe_load((root / "deploy/config/local.yaml").read_text())
    cfg["gateway"]["instance"] = "bench-" + prefix.rstrip(".")
    cfg["listeners"]["http"] = [{"name": "ingest", "address": "127.0.0.1", "port": port}]
    cfg["listeners"]["admin"] = {"address": "127.0.0.1", "port": port + 1}
    cfg["listeners"].pop("streams", None)
    r = cfg["routing"]
    p = lambda t: prefix + t
    r["topics"] = [p(t) for t in r["topics"]]
    r["default_topics"] = [p(t) for t in r["default_topics"]]
    for k in ("rejected_topic", "alerts_topic", "warnings_topic"):
        r[k] = p(r[k])
    for rule in r["rules"]:
        rule["topics"] = [p(t) for t in rule["topics"]]
    cfg["kafka"]["brokers"] = brokers
    cfg["kafka"]["properties"]["client.id"] = "wiregate-bench"
    cfg["limits"]["max_connections"] = 2048
    # Every load connection (and the 1,000 idle ones) comes from 127.0.0.1.
    cfg["limits"]["max_connections_per_address"] = 2048
    cfg["spool"]["dir"] = str(run_dir / "spool")
    cfg["spool"]["fsync"] = fsync
    path = run_dir / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False))
    return path


def proc(pid):
    status = Path("/proc/%d/status" % pid).read_text()
    kb = lambda k: int(next(l for l in status.splitlines() if l.startswith(k)).split()[1])
    stat = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
    return {"hwm_mb": kb("VmHWM:") / 1024, "rss_mb": kb("VmRSS:") / 1024,
            "cpu_s": (int(stat[11]) + int(stat[12])) / CLK_TCK, "ctxt": context_switches(pid)}


def context_switches(pid):
    """Voluntary and involuntary context switches of every thread of `pid` so far: thread
    hand-offs per story, a figure that moves far less between runs than time does."""
    n = 0
    for task in Path("/proc/%d/task" % pid).iterdir():
        try:
            status = (task / "status").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        for line in status.splitlines():
            if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                n += int(line.split()[1])
    return n


def wait_ready(port, gw, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if gw.poll() is not None:
            raise RuntimeError("wiregate serve exited with %s" % gw.returncode)
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gateway not ready after %d s" % timeout)


def push_one(root, port, body_token):
    body = (root / FIXTURE).read_bytes().replace(TOKEN.encode(), body_token.encode())
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/v1/feeds/%s/stories" % FEED, body, {"Authorization": "Bearer " + KEY})
    r = c.getresponse()
    answer = json.loads(r.read())
    if r.status != 200:
        raise RuntimeError("warm-up answered %d: %s" % (r.status, answer))
    item = answer["items"][0]
    return item["uri"], item["version"], [t["topic"] for t in item["topics"]]


def result_of(stdout):
    line = next(l for l in reversed(stdout.splitlines()) if l.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def loadgen(bindir, port, run_id, accepted, **kw):
    cmd = [str(bindir / "wiregate-loadgen"), "--port", str(port), "--feed", FEED, "--key", KEY,
           "--file", "%s:%s" % (FIXTURE, TOKEN), "--run-id", run_id, "--accepted-out", str(accepted)]
    for k, v in kw.items():
        cmd += ["--" + k.replace("_", "-"), str(v)]
    p = subprocess.run(cmd, text=True, capture_output=True, cwd=bindir.parent.parent)
    if "RESULT " not in p.stdout:
        raise RuntimeError("loadgen failed: %s %s" % (p.stdout, p.stderr[-2000:]))
    return result_of(p.stdout)


def read_topic(brokers, topic):
    """(key, version) -> count of the messages on the topic now."""
    out = subprocess.run(["kcat", "-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q",
                          "-f", "%k\t%h\n"], text=True, capture_output=True, timeout=300).stdout
    seen = {}
    for line in out.splitlines():
        key, _, hdrs = line.partition("\t")
        version = next((h[8:] for h in hdrs.split(",") if h.startswith("version=")), "")
        seen[(key, version)] = seen.get((key, version), 0) + 1
    return seen


def verify(brokers, topic, accepted_files, timeout=60):
    expected = set()
    for f in accepted_files:
        for line in Path(f).read_text().splitlines():
            uri, _, version = line.partition("\t")
            expected.add((uri, version))
    end = time.time() + timeout
    while True:  # spooled items reach Kafka a little later: poll until all are there
        seen = read_topic(brokers, topic)
        missing = [k for k in expected if k not in seen]
        if not missing or time.time() > end:
            break
        time.sleep(2)
    dups = sum(n - 1 for k, n in seen.items() if k in expected and n > 1)
    return {"expected": len(expected), "found": sum(1 for k in expected if k in seen),
            "missing": len(missing), "duplicates": dups}


def idle_connections(port, pid, n=1000):
    """VmRSS with n connected clients that send nothing (within limits.read_timeout_ms)."""
    rss_before = proc(pid)["rss_mb"]
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        socks.append(s)
    time.sleep(3)
    figures = proc(pid)
    figures["rss_before_mb"] = rss_before
    figures["open"] = sum(1 for d in os.listdir("/proc/%d/fd" % pid)
                          if os.readlink("/proc/%d/fd/%s" % (pid, d)).startswith("socket:"))
    for s in socks:
        s.close()
    return figures


def fsync_probe(directory, n=500, size=4400):
    """The disk's own fsync latency, next to the spool: append `size` bytes and fsync, n times."""
    path = Path(directory) / "fsync-probe"
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    lat = []
    for _ in range(n):
        os.write(fd, b"x" * size)
        t = time.perf_counter()
        os.fsync(fd)
        lat.append((time.perf_counter() - t) * 1000)
        time.sleep(0.002)
    os.close(fd)
    path.unlink()
    lat.sort()
    return lat[n // 2], lat[int(n * 0.99)], lat[-1]


def perf_start(pid, out):
    return subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(pid), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def perf_stop(p, data, report):
    p.send_signal(signal.SIGINT)
    p.wait(timeout=60)
    txt = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--stdio",
                          "--percent-limit", "0.8", "-g", "none"], text=True,
                         capture_output=True).stdout
    by_thread = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--stdio",
                                "--sort", "comm,dso", "--percent-limit", "0.5", "-g", "none"],
                               text=True, capture_output=True).stdout
    report.write_text(by_thread + "\n\n" + txt)


def raw_producer(bindir, brokers, envelopes, topics, run_id, rate, stories):
    p = subprocess.run([str(bindir / "wiregate-raw-producer"), "--brokers", brokers, "--envelopes",
                        str(envelopes), "--topics", ",".join(topics), "--rate", str(rate),
                        "--stories", str(stories), "--run-id", run_id, "-X", "linger.ms=5"],
                       text=True, capture_output=True)
    if "RESULT " not in p.stdout:
        raise RuntimeError("raw producer failed: %s %s" % (p.stdout, p.stderr[-2000:]))
    return result_of(p.stdout)


def gateway_run(root, bindir, args, stamp, fsync, loadavg, sizes):
    prefix = "bench%s%s." % (stamp.replace("T", "").replace("Z", "")[-10:], fsync[:3])
    run_dir = root / "build" / "bench-run" / (stamp + "-" + fsync)
    run_dir.mkdir(parents=True, exist_ok=True)
    cfg = make_config(root, run_dir, args.port, args.brokers, prefix, fsync)
    log = open(run_dir / "gateway.log", "w")
    gw = subprocess.Popen([args.wiregate or str(bindir / "wiregate"), "serve", "--config", str(cfg)],
                          stdout=log, stderr=log)
    res = {"fsync": fsync, "prefix": prefix}
    try:
        wait_ready(args.port + 1, gw)
        uri, version, topics = push_one(root, args.port, TOKEN + "-warmup-" + prefix)
        res["topics"] = topics
        (run_dir / "warmup.tsv").write_text("%s\t%s\n" % (uri, version))
        res["la_closed"] = loadavg()
        before = proc(gw.pid)
        perf = perf_start(gw.pid, run_dir / "perf.data") if args.perf else None
        res["closed"] = loadgen(bindir, args.port, prefix + "c", run_dir / "closed.tsv",
                                mode="closed", connections=128, requests=sizes["closed"])
        if perf:
            perf_stop(perf, run_dir / "perf.data", Path(args.out_base + ".%s.perf.txt" % fsync))
        after = proc(gw.pid)
        res["cpu_closed"] = (after["cpu_s"] - before["cpu_s"]) / res["closed"]["stories_accepted"] * 1000
        res["ctxt_closed"] = (after["ctxt"] - before["ctxt"]) / res["closed"]["stories_accepted"]
        res["la_open"] = loadavg()
        before = proc(gw.pid)
        res["open"] = loadgen(bindir, args.port, prefix + "o", run_dir / "open.tsv", mode="open",
                              rate=500, duration_s=sizes["open_s"], connections=256)
        after = proc(gw.pid)
        res["cpu_open"] = (after["cpu_s"] - before["cpu_s"]) / res["open"]["stories_accepted"] * 1000
        res["ctxt_open"] = (after["ctxt"] - before["ctxt"]) / res["open"]["stories_accepted"]
        res["hwm_mb"] = after["hwm_mb"]
        res["verify"] = verify(args.brokers, prefix + "wire.all",
                               [run_dir / f for f in ("warmup.tsv", "closed.tsv", "open.tsv")])
        if sizes.get("idle"):
            res["idle"] = idle_connections(args.port, gw.pid)
    finally:
        gw.send_signal(signal.SIGTERM)
        try:
            gw.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gw.kill()
        log.close()
    return res


def run(root, bindir, args, stamp, loadavg):
    sizes = ({"closed": 400, "open_s": 3, "idle": True} if args.quick
             else {"closed": 5000, "open_s": 20, "idle": True})
    args.out_base = str(root / "bench" / "results" / stamp)
    runs = []
    for i, fsync in enumerate(args.fsync.split(",")):
        runs.append(gateway_run(root, bindir, args, stamp, fsync, loadavg,
                                dict(sizes, idle=sizes["idle"] and i == 0)))
    # The raw baseline: the same envelope (`wiregate normalize` of the same fixture), the same
    # topics (the warm-up story's route), the same broker and producer settings.
    envelopes = root / "build" / "bench-run" / (stamp + "-envelopes.jsonl")
    env = subprocess.run([str(bindir / "wiregate"), "normalize", "--format", FORMAT, "--profile",
                          PROFILE, "--feed", FEED, str(root / FIXTURE)], text=True,
                         capture_output=True, check=True).stdout
    envelopes.write_text(env)
    topics = runs[-1]["topics"]
    la_raw = loadavg()
    raw_max = raw_producer(bindir, args.brokers, envelopes, topics, "rawmax" + stamp, 0,
                           sizes["closed"])
    raw_open = raw_producer(bindir, args.brokers, envelopes, topics, "rawopen" + stamp, 500,
                            500 * sizes["open_s"])
    L = ["## End to end (gateway `%s`; ap-json `%s`, %d B; %d topics per story: %s)" % (
            args.wiregate or "build/bin/wiregate", FIXTURE, (root / FIXTURE).stat().st_size,
            len(topics), ", ".join(topics)), "",
         "| run | load avg | stories | accepted stories/s | p50 ms | p99 ms | p99.9 ms | "
         "max ms | non-2xx | vs raw |", "|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
    row = lambda name, la, r, vs: L.append("| %s | %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %s | %s |" % (
        name, la, r.get("stories_accepted", r.get("delivered", 0)), r["stories_per_s"],
        r["p50_ms"], r["p99_ms"], r["p999_ms"], r["max_ms"],
        {k: v for k, v in r.get("statuses", {}).items() if not k.startswith("2")} or "-", vs))
    row("raw producer, max throughput", la_raw, raw_max, "1")
    row("raw producer, open loop 500/s", la_raw, raw_open, "1")
    for r in runs:
        c, o = r["closed"], r["open"]
        row("gateway fsync=%s, closed loop 128 conns" % r["fsync"], r["la_closed"], c,
            "throughput %.0f%% (target ≥ 70%%)" % (100 * c["stories_per_s"] / raw_max["stories_per_s"]))
        row("gateway fsync=%s, open loop 500/s" % r["fsync"], r["la_open"], o,
            "p99 %.1f× (target ≤ 2×)" % (o["p99_ms"] / raw_open["p99_ms"]))
    L += ["", "| gateway run | peak RSS (VmHWM) MB | CPU s / 1,000 stories (open 500/s) | "
          "CPU s / 1,000 stories (closed) | context switches / story (open / closed) | "
          "topic check `wire.all` | RSS with 1,000 idle connections |",
          "|---|---:|---:|---:|---:|---|---|"]
    for r in runs:
        v = r["verify"]
        idle = r.get("idle")
        L.append("| fsync=%s | %.1f | %.3f | %.3f | %.2f / %.2f | %d expected, %d found, %d missing, %d duplicates | %s |" % (
            r["fsync"], r["hwm_mb"], r["cpu_open"], r["cpu_closed"], r["ctxt_open"],
            r["ctxt_closed"], v["expected"], v["found"],
            v["missing"], v["duplicates"],
            "%.1f MB VmRSS (%.1f MB before; %d sockets open; target < 150 MB)" % (
                idle["rss_mb"], idle["rss_before_mb"], idle["open"]) if idle else "-"))
    la = loadavg()
    p50, p99, mx = fsync_probe(root / "build" / "bench-run")
    L += ["", "Disk: fsync of a 4,400-byte append next to the spool, 500 times: p50 %.2f ms, "
          "p99 %.2f ms, max %.2f ms (load average %s)." % (p50, p99, mx, la)]
    L += ["", "Load average at end: %s." % loadavg(), ""]
    return L
