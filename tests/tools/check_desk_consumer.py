#!/usr/bin/python3
"""The consumer guide's examples against the real gateway and broker.

Starts `wiregate serve` (temporary config and spool, topics of its own on $WIREGATE_TEST_BROKERS),
posts four versions of one AP story (new, update, correction, kill) and a malformed document,
then produces an old version again and a message that is not an envelope straight to the desk
topic. Runs docs/examples/desk_consumer.py on the desk, alerts and dead-letter topics, the
guide's kcat one-liner and `wiregate tail`, and checks every line they print.

  check_desk_consumer.py --wiregate build/bin/wiregate --consumer docs/examples/desk_consumer.py \
      --fixtures tests/fixtures

Exit 0 when all lines are as expected, 1 otherwise, 77 (skipped) without $WIREGATE_TEST_BROKERS,
python3-confluent-kafka, PyYAML or jsonschema.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_openapi_answers import Gateway, request  # noqa: E402 (exits 77 without its modules)

try:
    from confluent_kafka import Producer
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

RUN = f"{os.getpid()}.{int(time.time() * 1000)}"
DESK, ALERTS, REJECTED = (f"consumer.{n}.{RUN}" for n in ("desk", "alerts", "rejected"))
URI = "urn:wiregate:ap:5b1a2c3d4e5f40718293a4b5c6d7e8f9"  # every version of the AP fixtures
HEADLINE = "NATO chief calls on Russia to remove 'thousands of troops' from Ukraine"


def config_yaml(brokers, spool):
    return f"""
listeners:
  http: [{{name: ingest, address: 127.0.0.1, port: 0}}]
  admin: {{address: 127.0.0.1, port: 0}}
feeds:
  - {{id: ap, agency: ap, format: ap-json, profile: ap, auth: {{api_keys: [{{value: key-ap}}]}}}}
routing:
  topics: [{DESK}, {ALERTS}, {REJECTED}]
  default_topics: [{DESK}]
  alerts_topic: {ALERTS}
  rejected_topic: {REJECTED}
kafka: {{brokers: "{brokers}", create_topics: {{partitions: 1, replication_factor: 1}}}}
spool: {{dir: "{spool}"}}
"""


def run(cmd, timeout=90):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return out.returncode, out.stdout.splitlines(), out.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wiregate", required=True)
    ap.add_argument("--consumer", required=True)
    ap.add_argument("--fixtures", required=True)
    args = ap.parse_args()
    brokers = os.environ.get("WIREGATE_TEST_BROKERS")
    if not brokers:
        print("skipped: WIREGATE_TEST_BROKERS is not set")
        return 77
    fixtures = pathlib.Path(args.fixtures) / "ap-json/good"
    tmp = tempfile.TemporaryDirectory(prefix="wiregate-consumer-")
    cfg = pathlib.Path(tmp.name) / "config.yaml"
    cfg.write_text(config_yaml(brokers, pathlib.Path(tmp.name) / "spool"), encoding="utf-8")
    problems = []
    gw = Gateway(args.wiregate, str(cfg))
    try:
        deadline = time.time() + 60
        while request(gw.admin, "GET", "/readyz")[0] != 200 and time.time() < deadline:
            time.sleep(0.2)
        auth = {"Authorization": "Bearer key-ap", "Content-Type": "application/json"}
        for name in ("001-new", "002-update", "003-correction", "004-kill"):
            status, _, body = request(gw.ingest, "POST", "/v1/feeds/ap/stories",
                                      (fixtures / f"{name}.json").read_bytes(), auth)
            if status != 200 or b'"published"' not in body:
                problems.append(f"posting {name}: {status} {body[:200]!r}")
        status, _, body = request(gw.ingest, "POST", "/v1/feeds/ap/stories", b"{", auth)
        if status != 422:
            problems.append(f"posting a malformed document: {status} {body[:200]!r}")
    finally:
        if gw.stop() != 0:
            problems.append("the gateway did not exit 0 after SIGTERM")

    # A redelivered old version (as a second gateway instance could publish) and a stranger.
    old = subprocess.run([args.wiregate, "normalize", "--format", "ap-json", "--profile", "ap",
                          str(fixtures / "002-update.json")], capture_output=True, check=True)
    producer = Producer({"bootstrap.servers": brokers})
    producer.produce(DESK, key=f"ap:{URI}", value=old.stdout.strip(),
                     headers=[("signal", b"update")])
    producer.produce(DESK, key="x", value=b"hello, not an envelope")
    if producer.flush(30) != 0:
        problems.append("producing to the desk topic was not acknowledged")

    consumer = [sys.executable, args.consumer, "--brokers", brokers, "--from-beginning",
                "--timeout", "60"]
    code, lines, err = run(consumer + ["--topic", DESK, "--max", "6"])
    expected = [f"new {URI} v0 U4 {HEADLINE}", f"update {URI} v1 U4 {HEADLINE}",
                f"correction {URI} v2 U4 ", f"kill {URI} v3 U3 Kill: ",
                f"skip {URI} v1: older than v3", f"unreadable {DESK}/0@5: "]
    if code != 0 or len(lines) != len(expected):
        problems.append(f"desk_consumer on the desk topic: exit {code}, {len(lines)} lines, "
                        f"expected {len(expected)}: {lines} {err[-500:]}")
    for got, want in zip(lines, expected):
        if not got.startswith(want):
            problems.append(f"desk_consumer printed {got!r}, expected {want!r}…")

    code, lines, err = run(consumer + ["--topic", REJECTED, "--max", "1"])
    if code != 0 or len(lines) != 1 or not lines[0].startswith("dead ap malformed: "):
        problems.append(f"desk_consumer on the dead letters: exit {code}: {lines} {err[-500:]}")
    code, lines, err = run(consumer + ["--topic", ALERTS, "--max", "2"])
    if [l.split(" ")[0] for l in lines] != ["correction", "kill"]:
        problems.append(f"desk_consumer on the alerts topic: {lines} {err[-500:]}")

    # The guide's kcat one-liner: offset, key and headers of each message.
    code, lines, err = run(["kcat", "-b", brokers, "-C", "-t", DESK, "-o", "beginning", "-c",
                            "4", "-e", "-q", "-f", "%t/%p@%o %k %h\\n"])
    for i, (line, signal) in enumerate(zip(lines, ["new", "update", "correction", "kill"])):
        if not (line.startswith(f"{DESK}/0@{i} ap:{URI} ") and f"signal={signal}," in line
                and f"version={i}," in line and "agency=ap," in line):
            problems.append(f"kcat line {i}: {line!r}")
    if code != 0 or len(lines) != 4:
        problems.append(f"kcat: exit {code}, {len(lines)} lines: {err[-300:]}")

    # wiregate tail on the same desk topic: real envelopes, one line each.
    code, lines, err = run([args.wiregate, "tail", "--brokers", brokers, "--topic", DESK,
                            "--from-beginning", "--max", "6", "--timeout-ms", "60000"])
    signals = ["new", "update", "CORRECTION", "KILL", "update", "UNREADABLE"]
    for i, (line, signal) in enumerate(zip(lines, signals)):
        if f" {signal} " not in line or not line.endswith(f"  {DESK}/0@{i}"):
            problems.append(f"wiregate tail line {i}: {line!r}, expected {signal}")
    if code != 0 or len(lines) != 6 or "  ap        U4  new         NATO chief" not in lines[0]:
        problems.append(f"wiregate tail: exit {code}: {lines} {err[-300:]}")

    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"ok: desk_consumer.py and kcat read {DESK}, {ALERTS} and {REJECTED} as the guide says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
