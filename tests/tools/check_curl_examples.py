#!/usr/bin/env python3
"""Runs the docs' curl examples against a real gateway and checks each answers the HTTP status
the doc shows (ctest: docs.curl_examples).

usage: check_curl_examples.py --wiregate BIN --config deploy/config/local.yaml \
           --fixtures tests/fixtures FILE.md...

The rules (docs/README.md, "Examples in the docs"):
- a ```sh block with a `curl` command shows the status each curl answers in a comment
  `# → NNN` (at the end of the command's line or on a line of its own, in the order the curls
  run; text may follow the status). The block runs with `sh` as it is written, in a scratch
  folder, with a `curl` first on PATH that routes the docs' addresses to the test gateway and
  records each answer's status: `127.0.0.1:8080` and `wire.example.net:8443` (HTTPS in the
  docs, plain HTTP here) to its ingest listener, `127.0.0.1:9090` and `ADMIN` to its admin
  listener; `YOUR-API-KEY` becomes the key of the feed named in the URL;
- an inline `curl …` code span in prose runs the same way and must reach an endpoint that exists
  (curl exits 0; the answer is not 404 or 405);
- the gateway serves --config (deploy/config/local.yaml: its feeds and development keys are the
  docs' examples) on free ports, with a scratch spool, topics of its own (every topic name
  prefixed) and $WIREGATE_TEST_BROKERS; the shell gets WIREGATE_KEY and WIREGATE_HMAC_SECRET of
  its `reuters` feed, and the files the examples send: story.json (an AP JSON story),
  story.xml (a Reuters NewsML-G2 story), nitf-story.xml (an AP NITF story).
Lines of a block that are not curl (other tools, variables) run too; a command that is not
there (build/bin/wiregate in the scratch folder) just fails without effect.
Exit 0 when every curl answers as shown, 1 otherwise, 77 (ctest: skipped) without
$WIREGATE_TEST_BROKERS or PyYAML."""
import argparse
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import yaml
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from check_openapi_answers import Gateway  # noqa: E402

RUN = f"{os.getpid()}.{int(time.time() * 1000)}"
FENCE = re.compile(r"^([ \t]*)```(\w*)[^\n]*\n(.*?)^\1```[ \t]*$", re.S | re.M)
INLINE = re.compile(r"(?<!`)`(curl [^`]+)`(?!`)")
STATUS = re.compile(r"#\s*→\s*(\d{3})\b")
FILES = {"story.json": "ap-json/good/001-new.json",
         "story.xml": "newsml-g2/good/001-reuters-seed-new.xml",
         "nitf-story.xml": "nitf/good/001-ap-story.xml"}

# The `curl` the examples run: rewrites the docs' addresses and placeholder key, dumps each
# answer's headers to $DOCS_CURL_LOG/<n>.hdr, and runs the real curl.
WRAPPER = r'''#!/usr/bin/python3
import os, re, sys
log = os.environ["DOCS_CURL_LOG"]
routes = [(a, b) for a, b in (r.split("=", 1) for r in os.environ["DOCS_CURL_ROUTES"].split())]
keys = dict(k.split("=", 1) for k in os.environ["DOCS_CURL_KEYS"].split())
args = []
for a in sys.argv[1:]:
    for old, new in routes:
        if a.startswith(old):
            a = new + a[len(old):]
    args.append(a)
url = next((a for a in args if "/v1/feeds/" in a), "")
feed = re.search(r"/v1/feeds/([^/]+)/", url)
if feed:
    args = [a.replace("YOUR-API-KEY", keys.get(feed.group(1), "no-such-feed")) for a in args]
n = len(os.listdir(log))
os.execv(os.environ["DOCS_CURL_REAL"], ["curl", *args, "-D", os.path.join(log, f"{n:03d}.hdr")])
'''


def blocks(text):
    for m in FENCE.finditer(text):
        if m.group(2) in ("sh", "bash", "shell") and re.search(r"(^|[\s;|(])curl\s", m.group(3)):
            indent = len(m.group(1))
            body = "".join(l[indent:] for l in m.group(3).splitlines(keepends=True))
            yield text.count("\n", 0, m.start()) + 1, body


def curl_count(body):
    """How many curl commands the block runs (commands, not mentions in comments)."""
    n = 0
    joined = re.sub(r"\\\n", " ", body)
    for line in joined.splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split()
        n += sum(1 for w in words if w == "curl")
    return n


def statuses(logdir):
    out = []
    for hdr in sorted(logdir.iterdir()):
        codes = re.findall(r"^HTTP/[\d.]+ (\d{3})", hdr.read_text(errors="replace"), re.M)
        out.append(int(codes[-1]) if codes else 0)
    return out


def test_config(config, brokers, spool):
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    topics = set(doc["routing"]["topics"])

    def rename(node):
        if isinstance(node, dict):
            return {k: rename(v) for k, v in node.items()}
        if isinstance(node, list):
            return [rename(v) for v in node]
        return f"docs.{RUN}.{node}" if isinstance(node, str) and node in topics else node

    doc["routing"] = rename(doc["routing"])
    for listener in doc["listeners"].get("http", []):
        listener["port"] = 0
    doc["listeners"]["admin"]["port"] = 0
    doc["listeners"].pop("streams", None)  # the docs' curls use none; fixed ports would collide
    doc["kafka"]["brokers"] = brokers
    doc["spool"]["dir"] = str(spool)
    doc.setdefault("gateway", {})["instance"] = "docs-curl-check"
    return doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wiregate", required=True)
    ap.add_argument("--config", required=True, type=pathlib.Path)
    ap.add_argument("--fixtures", required=True, type=pathlib.Path)
    ap.add_argument("docs", nargs="+", type=pathlib.Path)
    args = ap.parse_args()
    brokers = os.environ.get("WIREGATE_TEST_BROKERS")
    if not brokers:
        print("skipped: WIREGATE_TEST_BROKERS is not set (scripts/kafka start)")
        return 77
    real_curl = shutil.which("curl")
    if not real_curl:
        print("FAIL curl is not installed", file=sys.stderr)
        return 1

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="docs-curl."))
    doc = test_config(args.config, brokers, tmp / "spool")
    cfg = tmp / "config.yaml"
    cfg.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    keys, hmac_secret = {}, None
    for feed in doc["feeds"]:
        auth = feed.get("auth", {})
        if auth.get("api_keys"):
            keys[feed["id"]] = auth["api_keys"][0]["value"]
        if feed["id"] == "reuters":
            hmac_secret = auth.get("hmac", {}).get("secret", {}).get("value")
    bindir = tmp / "bin"
    bindir.mkdir()
    (bindir / "curl").write_text(WRAPPER)
    (bindir / "curl").chmod(0o755)
    work = tmp / "work"
    work.mkdir()
    for name, fixture in FILES.items():
        shutil.copyfile(args.fixtures / fixture, work / name)

    failures, ran = [], 0
    gw = Gateway(args.wiregate, str(cfg))
    try:
        ing, adm = f"http://127.0.0.1:{gw.ingest}", f"http://127.0.0.1:{gw.admin}"
        routes = [("https://wire.example.net:8443", ing), ("http://wire.example.net:8443", ing),
                  ("wire.example.net:8443", ing), ("http://127.0.0.1:8080", ing),
                  ("127.0.0.1:8080", ing), ("http://127.0.0.1:9090", adm),
                  ("127.0.0.1:9090", adm), ("http://ADMIN", adm), ("ADMIN", adm)]
        deadline = time.time() + 60  # wait for Kafka: the examples expect a ready gateway
        while subprocess.run([real_curl, "-fs", "-o", "/dev/null", f"{adm}/readyz"]).returncode \
                and time.time() < deadline:
            time.sleep(0.5)

        def run(script):
            logdir = pathlib.Path(tempfile.mkdtemp(dir=tmp, prefix="log."))
            env = dict(os.environ, PATH=f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                       DOCS_CURL_LOG=str(logdir), DOCS_CURL_REAL=real_curl,
                       DOCS_CURL_ROUTES=" ".join(f"{a}={b}" for a, b in routes),
                       DOCS_CURL_KEYS=" ".join(f"{k}={v}" for k, v in keys.items()),
                       WIREGATE_KEY=keys.get("reuters", ""),
                       WIREGATE_HMAC_SECRET=hmac_secret or "")
            p = subprocess.run(["sh", "-c", script], cwd=work, env=env, capture_output=True,
                               text=True, timeout=120)
            return p, statuses(logdir)

        for path in args.docs:
            text = path.read_text(encoding="utf-8")
            for line, body in blocks(text):
                where = f"{path.name}:{line}"
                want = [int(s) for s in STATUS.findall(body)]
                count = curl_count(body)
                if len(want) != count:
                    failures.append(f"{where}: {count} curl commands but {len(want)} `# → NNN` "
                                    "statuses shown")
                    continue
                p, got = run(body)
                ran += len(got)
                if got != want:
                    failures.append(f"{where}: the doc shows {want}, the gateway answered {got}"
                                    f"\n{p.stdout[-1500:]}{p.stderr[-1500:]}")
                else:
                    print(f"{where}: {count} curl answered {got} as shown")
            for m in INLINE.finditer(text):
                where = f"{path.name}:{text.count(chr(10), 0, m.start()) + 1}"
                if "…" in m.group(1):
                    continue  # an abbreviation, not a command
                p, got = run(m.group(1))
                ran += len(got)
                if p.returncode != 0 or not got or any(s in (0, 404, 405) for s in got):
                    failures.append(f"{where}: `{m.group(1)}`: exit {p.returncode}, answers "
                                    f"{got}: not an endpoint that exists\n{p.stderr[-500:]}")
                else:
                    print(f"{where}: `{m.group(1)}` answered {got}")
    finally:
        code = gw.stop()
        if code != 0:
            failures.append(f"the gateway exited {code} after SIGTERM")
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    if failures:
        print("".join(gw.log[-15:]), file=sys.stderr)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{ran} curl commands run, {len(failures)} failures")
    if ran == 0:
        print("no curl examples found", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
