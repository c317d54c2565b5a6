#!/usr/bin/python3
"""Checks schemas/ingest.openapi.yaml against the real gateway.

Starts `wiregate serve` on free ports with a temporary config and spool (the broker is
$WIREGATE_TEST_BROKERS; topics of its own), sends requests that provoke each answer the API
documents (200, 207, 400, 401, 403, 405, 409, 413, 415, 422, 429, 431, 503 and the admin
endpoints; 429 and 503 from gateways whose broker does not exist; the
HMAC-signed request goes through docs/examples/post_signed.sh, the shell the agency guide
shows), and checks that every answer's status is declared for its operation, that its body
validates against the declared JSON schema and that required headers (Retry-After, Allow) are
there. Ends with SIGTERM and expects exit status 0.

  check_openapi_answers.py --wiregate build/bin/wiregate --spec schemas/ingest.openapi.yaml \
      --fixtures tests/fixtures --signer docs/examples/post_signed.sh

Exit 0 when every answer conforms, 1 otherwise, 77 (ctest: skipped) without
$WIREGATE_TEST_BROKERS, PyYAML or jsonschema.
"""
import argparse
import http.client
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

try:
    import yaml
    from jsonschema import Draft202012Validator, RefResolver
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

RUN = f"{os.getpid()}.{int(time.time() * 1000)}"
TOPIC, REJECTED = f"openapi.stories.{RUN}", f"openapi.rejected.{RUN}"


def config_yaml(brokers, spool):
    return f"""
gateway: {{instance: openapi-check, drain_timeout_ms: 10000}}
listeners:
  http: [{{name: ingest, address: 127.0.0.1, port: 0}}]
  admin: {{address: 127.0.0.1, port: 0}}
feeds:
  - {{id: ap, agency: ap, format: ap-json, profile: ap, auth: {{api_keys: [{{value: key-ap}}]}}}}
  - {{id: nj, agency: partner, format: ninjs, auth: {{api_keys: [{{value: key-nj}}]}}}}
  - {{id: auto-in, agency: partner, auth: {{api_keys: [{{value: key-auto}}]}}}}
  - id: signed
    agency: partner
    format: ninjs
    auth:
      api_keys: [{{value: key-signed}}]
      hmac: {{secret: {{value: s3cret}}, window_seconds: 300}}
routing:
  topics: [{TOPIC}, {REJECTED}]
  default_topics: [{TOPIC}]
  rejected_topic: {REJECTED}
kafka: {{brokers: "{brokers}", create_topics: {{partitions: 1, replication_factor: 1}}}}
limits: {{max_body_bytes: 262144, max_inflight_bytes: 262144, max_header_bytes: 8192}}
spool: {{dir: "{spool}"}}
"""


def no_kafka_yaml(spool):
    """Brokers that do not exist: with a spool, requests wait ack_wait_ms and are spooled (one at
    a time: max_inflight_requests 1); without one, the gateway is unavailable."""
    spool_part = f'spool: {{dir: "{spool}", ack_wait_ms: 3000}}' if spool else ""
    return f"""
gateway: {{drain_timeout_ms: 2000}}
listeners:
  http: [{{name: ingest, address: 127.0.0.1, port: 0}}]
  admin: {{address: 127.0.0.1, port: 0}}
feeds:
  - {{id: nj, agency: partner, format: ninjs, auth: {{api_keys: [{{value: key-nj}}]}}}}
routing: {{topics: [{TOPIC}, {REJECTED}], default_topics: [{TOPIC}], rejected_topic: {REJECTED}}}
kafka: {{brokers: "127.0.0.1:1", metadata_refresh_ms: 100}}
limits: {{max_inflight_requests: 1, retry_after_seconds: 7}}
{spool_part}
"""


def metric(port, name):
    text = request(port, "GET", "/metrics")[2].decode()
    m = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else None


class Gateway:
    def __init__(self, binary, config):
        self.proc = subprocess.Popen([binary, "serve", "--config", config],
                                     stderr=subprocess.PIPE, text=True)
        self.log = []
        started = None
        for line in self.proc.stderr:
            self.log.append(line)
            if '"event":"started"' in line:
                started = line
                break
        if not started:
            raise RuntimeError("the gateway did not start:\n" + "".join(self.log[-20:]))
        self.ingest = int(re.search(r'"ingest_port":(\d+)', started).group(1))
        self.admin = int(re.search(r'"admin_port":(\d+)', started).group(1))
        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True).start()

    def stop(self):
        self.proc.terminate()
        return self.proc.wait(timeout=30)


def request(port, method, path, body=b"", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    conn.close()
    return out


def raw_request(port, head):
    """Sends a request head only (the server answers before any body) and reads the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head.encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head_part, _, body = data.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    return int(lines[0].split()[1]), headers, body


class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.resolver = RefResolver(base_uri="", referrer=self.doc)

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            node = self.resolver.resolve(node["$ref"])[1]
        return node

    def operation(self, method, path, status):
        """The operation of method+path; for a 405 (a method the path does not have), the
        path's operation that declares 405."""
        for template, item in self.doc["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            if not re.match(pattern, path.split("?")[0]):
                continue
            if method.lower() in item:
                return item[method.lower()]
            if status == 405:
                return next((op for op in item.values()
                             if isinstance(op, dict) and "405" in op.get("responses", {})), None)
        return None

    def validator(self, schema):
        return Draft202012Validator(schema, resolver=self.resolver)

    def check(self, method, path, status, headers, body):
        """Problems with one answer, as text; empty when it conforms."""
        op = self.operation(method, path, status)
        if op is None:
            return [f"{method} {path}: not in the spec"]
        response = self.deref(op["responses"].get(str(status)))
        if response is None:
            return [f"{method} {path}: status {status} is not declared"]
        problems = []
        for name, h in response.get("headers", {}).items():
            h = self.deref(h)
            value = headers.get(name.lower())
            if value is None:
                if h.get("required"):
                    problems.append(f"{method} {path} {status}: no {name} header")
                continue
            for e in self.validator(h["schema"]).iter_errors(value):
                problems.append(f"{method} {path} {status}: header {name}: {e.message}")
        ctype = headers.get("content-type", "").split(";")[0].strip()
        content = response.get("content", {})
        if ctype not in content:
            return problems + [f"{method} {path} {status}: Content-Type {ctype!r} not declared"]
        schema = content[ctype].get("schema")
        if ctype == "application/json":
            try:
                doc = json.loads(body)
            except ValueError as e:
                return problems + [f"{method} {path} {status}: not JSON: {e}"]
            for e in self.validator(schema).iter_errors(doc):
                where = "/".join(str(p) for p in e.absolute_path) or "(top)"
                problems.append(f"{method} {path} {status}: {where}: {e.message}")
        return problems


def ninjs(fixtures, uri):
    doc = json.loads((fixtures / "ninjs/good/001-text-2x.json").read_text(encoding="utf-8"))
    doc["uri"] = uri
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wiregate", required=True)
    ap.add_argument("--spec", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--signer", required=True)
    args = ap.parse_args()
    brokers = os.environ.get("WIREGATE_TEST_BROKERS")
    if not brokers:
        print("skipped: WIREGATE_TEST_BROKERS is not set")
        return 77
    spec = Spec(args.spec)
    fixtures = pathlib.Path(args.fixtures)
    # The checker itself can fail: an item list is not an Error.
    assert spec.check("GET", "/readyz", 200, {"content-type": "application/json"},
                      b'{"status":"maybe"}'), "the schema check accepts anything"

    tmp = tempfile.TemporaryDirectory(prefix="wiregate-openapi-")
    cfg = pathlib.Path(tmp.name) / "config.yaml"
    cfg.write_text(config_yaml(brokers, pathlib.Path(tmp.name) / "spool"), encoding="utf-8")
    gw = Gateway(args.wiregate, str(cfg))
    problems, seen = [], []

    def expect(what, want, method, path, status, headers, body, item_status=None):
        seen.append(status)
        if status != want:
            problems.append(f"{what}: status {status}, expected {want}: {body[:300]!r}")
        problems.extend(f"{what}: {p}" for p in spec.check(method, path, status, headers, body))
        if item_status and status == want:
            got = [i["status"] for i in json.loads(body)["items"]]
            if got != item_status:
                problems.append(f"{what}: item statuses {got}, expected {item_status}")

    try:
        deadline = time.time() + 60
        while request(gw.admin, "GET", "/readyz")[0] != 200 and time.time() < deadline:
            time.sleep(0.2)
        for path in ("/healthz", "/readyz", "/metrics"):
            expect(f"GET {path}", 200, "GET", path, *request(gw.admin, "GET", path))

        ap_story = (fixtures / "ap-json/good/001-new.json").read_bytes()
        ap_path = "/v1/feeds/ap/stories"
        ok = {"Authorization": "Bearer key-ap", "Content-Type": "application/json"}
        r = request(gw.ingest, "POST", ap_path, ap_story, ok)
        expect("a good AP story", 200, "POST", ap_path, *r, item_status=["published"])
        r = request(gw.ingest, "POST", ap_path, ap_story, ok)
        expect("the same again", 200, "POST", ap_path, *r, item_status=["duplicate"])

        nj_path = "/v1/feeds/nj/stories"
        nj = {"Authorization": "Bearer key-nj", "Content-Type": "application/json"}
        mixed = [ninjs(fixtures, f"urn:openapi:{RUN}:mixed"), {"type": "text"}]
        r = request(gw.ingest, "POST", nj_path, json.dumps(mixed).encode(), nj)
        expect("one good, one bad item", 207, "POST", nj_path, *r,
               item_status=["published", "rejected"])
        expect("malformed JSON", 422, "POST", nj_path,
               *request(gw.ingest, "POST", nj_path, b"{", nj), item_status=["rejected"])
        keyed = dict(nj, **{"Idempotency-Key": f"k-{RUN}"})
        first = json.dumps(ninjs(fixtures, f"urn:openapi:{RUN}:a")).encode()
        other = json.dumps(ninjs(fixtures, f"urn:openapi:{RUN}:b")).encode()
        expect("an Idempotency-Key", 200, "POST", nj_path,
               *request(gw.ingest, "POST", nj_path, first, keyed), item_status=["published"])
        expect("the key reused for another body", 422, "POST", nj_path,
               *request(gw.ingest, "POST", nj_path, other, keyed), item_status=["rejected"])
        changed = ninjs(fixtures, f"urn:openapi:{RUN}:a")
        changed["headlines"] = [{"value": "The same version, another headline"}]
        expect("the same version with other content", 409, "POST", nj_path,
               *request(gw.ingest, "POST", nj_path, json.dumps(changed).encode(), nj),
               item_status=["conflict"])
        long_key = dict(nj, **{"Idempotency-Key": "k" * 300})
        expect("an Idempotency-Key over 255", 400, "POST", nj_path,
               *request(gw.ingest, "POST", nj_path, first, long_key))

        expect("image/png", 415, "POST", nj_path, *request(
            gw.ingest, "POST", nj_path, b"x", dict(nj, **{"Content-Type": "image/png"})))
        auto = {"Authorization": "Bearer key-auto", "Content-Type": "text/plain"}
        expect("a format nobody can tell", 415, "POST", "/v1/feeds/auto-in/stories",
               *request(gw.ingest, "POST", "/v1/feeds/auto-in/stories",
                        b"hello, this is not a wire story", auto))
        expect("no credentials", 401, "POST", nj_path, *request(
            gw.ingest, "POST", nj_path, first, {"Content-Type": "application/json"}))
        expect("a wrong key", 403, "POST", nj_path, *request(
            gw.ingest, "POST", nj_path, first, dict(nj, Authorization="Bearer nope")))
        expect("an unknown feed, with a key", 403, "POST", "/v1/feeds/nosuch/stories",
               *request(gw.ingest, "POST", "/v1/feeds/nosuch/stories", first, nj))
        expect("an unknown feed, no credentials", 401, "POST", "/v1/feeds/nosuch/stories",
               *request(gw.ingest, "POST", "/v1/feeds/nosuch/stories", first,
                        {"Content-Type": "application/json"}))
        expect("Authorization sent twice", 400, "POST", nj_path, *raw_request(
            gw.ingest, f"POST {nj_path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-nj\r\n"
            "Authorization: Bearer other\r\nContent-Length: 0\r\n\r\n"))
        expect("a Transfer-Encoding other than chunked", 501, "POST", nj_path, *raw_request(
            gw.ingest, f"POST {nj_path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-nj\r\n"
            "Transfer-Encoding: gzip\r\n\r\n"))
        expect("GET on the ingest path", 405, "GET", nj_path,
               *request(gw.ingest, "GET", nj_path, b"", nj))
        expect("Content-Length over max_body_bytes", 413, "POST", nj_path, *raw_request(
            gw.ingest, f"POST {nj_path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer key-nj\r\n"
            "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"))
        expect("a header block over max_header_bytes", 431, "POST", nj_path, *raw_request(
            gw.ingest, f"POST {nj_path} HTTP/1.1\r\nHost: x\r\nX-Big: {'b' * 10000}\r\n"
            "Content-Length: 0\r\n\r\n"))

        # HMAC: the agency guide's shell script, then a wrong secret and no signature.
        body = pathlib.Path(tmp.name) / "signed.json"
        body.write_text(json.dumps(ninjs(fixtures, f"urn:openapi:{RUN}:signed")))
        signed_path = "/v1/feeds/signed/stories"
        for what, secret, want in (("signed with the shared secret", "s3cret", 200),
                                   ("signed with another secret", "wrong", 403)):
            env = dict(os.environ, WIREGATE_URL=f"http://127.0.0.1:{gw.ingest}",
                       WIREGATE_KEY="key-signed", WIREGATE_HMAC_SECRET=secret)
            out = subprocess.run(["sh", args.signer, "signed", str(body), "application/json"],
                                 env=env, capture_output=True, text=True, timeout=60)
            answer, _, status = out.stdout.rstrip("\n").rpartition("\n")
            expect(what, want, "POST", signed_path, int(status or 0),
                   {"content-type": "application/json"}, answer.encode())
        expect("a signed feed without a signature", 401, "POST", signed_path, *request(
            gw.ingest, "POST", signed_path, body.read_bytes(),
            {"Authorization": "Bearer key-signed", "Content-Type": "application/json"}))
    finally:
        code = gw.stop()
        if code != 0:
            problems.append(f"the gateway exited {code} after SIGTERM")

    # Kafka away. With a spool: one request waits for Kafka (then "spooled"), a second one at
    # the same time is over max_inflight_requests: 429. Without a spool: 503.
    nj_path = "/v1/feeds/nj/stories"
    nj = {"Authorization": "Bearer key-nj", "Content-Type": "application/json"}
    for spool in (pathlib.Path(tmp.name) / "spool-no-kafka", None):
        cfg.write_text(no_kafka_yaml(spool), encoding="utf-8")
        gw = Gateway(args.wiregate, str(cfg))
        try:
            if spool:
                held = {}
                body = json.dumps(ninjs(fixtures, f"urn:openapi:{RUN}:spooled")).encode()
                t = threading.Thread(target=lambda: held.update(
                    r=request(gw.ingest, "POST", nj_path, body, nj)))
                t.start()
                deadline = time.time() + 20
                while metric(gw.admin, "wiregate_inflight_requests") != 1 and time.time() < deadline:
                    time.sleep(0.05)
                expect("a second request while one waits for Kafka", 429, "POST", nj_path,
                       *request(gw.ingest, "POST", nj_path, body, nj))
                t.join(30)
                expect("a request Kafka did not acknowledge in time", 200, "POST", nj_path,
                       *held["r"], item_status=["spooled"])
            else:
                body = json.dumps(ninjs(fixtures, f"urn:openapi:{RUN}:nokafka")).encode()
                deadline = time.time() + 20
                while True:  # the gateway may still be waiting for its first metadata
                    r = request(gw.ingest, "POST", nj_path, body, nj)
                    if r[0] == 503 or time.time() > deadline:
                        break
                    time.sleep(0.1)
                expect("Kafka unreachable without a spool", 503, "POST", nj_path, *r)
                if r[1].get("retry-after") != "7":
                    problems.append(f"503: Retry-After {r[1].get('retry-after')!r}, expected '7'")
        finally:
            # A drain that leaves stories in the spool (Kafka away) is not clean: exit status 1.
            code, want = gw.stop(), 1 if spool else 0
            if code != want:
                problems.append(f"the Kafka-less gateway exited {code} after SIGTERM, "
                                f"expected {want}")
    for p in problems:
        print(p)
    if problems:
        print("".join(gw.log[-15:]), file=sys.stderr)
        return 1
    print(f"ok: {len(seen)} answers conform to {args.spec} "
          f"(statuses {' '.join(str(s) for s in sorted(set(seen)))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
