#!/usr/bin/env python3
"""Seeds for the HTTP and framer fuzzers, built from tests/fixtures (scripts/fuzz runs this).

  make_seeds.py OUT_DIR   writes OUT_DIR/{http,http_admin,framer_anpa1312,framer_iptc7901,
                          framer_zczc}/*

http: one connection per file, as http_fuzz.cpp reads it: POSTs of good and bad fixtures to
the feeds of deploy/config/local.yaml with their development keys (the reuters feed signed
with HMAC at a fixed timestamp; the harness widens the window), plus the refusals (404, 405,
401, 403, 415, 413) and keep-alive, pipelined and chunked requests.
framer_<f>: the framer_fuzz.cpp header (limit, read sizes) followed by a fixture stream.
"""
import hashlib
import hmac
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

# feed id -> (its development key, fixture folder, Content-Type), from deploy/config/local.yaml
FEEDS = {
    "ap": ("dev-ap-key", "ap-json", "application/json"),
    "ap-nitf": ("dev-ap-nitf-key", "nitf", "application/xml"),
    "ap-anpa": ("dev-ap-anpa-key", "anpa1312", "application/octet-stream"),
    "reuters": ("dev-reuters-key", "newsml-g2", "application/vnd.iptc.g2.newsitem+xml"),
    "interfax": ("dev-interfax-key", "iptc7901", "text/plain; charset=windows-1251"),
    "interfax-zczc": ("dev-interfax-zczc-key", "zczc", "text/plain"),
    "ninjs": ("dev-ninjs-key", "ninjs", "application/json"),
    "any": ("dev-any-key", "newsml-1.2", ""),  # format auto: added by the harness
}
HMAC_SECRET = {"reuters": b"dev-reuters-hmac-secret"}
TIMESTAMP = b"1764000000"


def inputs(folder, kind):
    d = FIXTURES / folder / kind
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir()
                  if p.is_file() and not p.name.endswith((".expected.json", ".options.json")))


def request(feed, body, *, key=None, content_type=None, extra=(), method=b"POST",
            target=None, close=True, chunked=False):
    k, _, ct = FEEDS.get(feed, ("", "", ""))
    key = k if key is None else key
    ct = ct if content_type is None else content_type
    target = target or b"/v1/feeds/" + feed.encode() + b"/stories"
    h = [method + b" " + target + b" HTTP/1.1", b"Host: gateway.test"]
    if key:
        h.append(b"Authorization: Bearer " + key.encode())
    if ct:
        h.append(b"Content-Type: " + ct.encode())
    if feed in HMAC_SECRET:
        mac = hmac.new(HMAC_SECRET[feed], TIMESTAMP + b"." + body, hashlib.sha256).hexdigest()
        h += [b"X-Wiregate-Timestamp: " + TIMESTAMP,
              b"X-Wiregate-Signature: sha256=" + mac.encode()]
    h += list(extra)
    if chunked:
        h.append(b"Transfer-Encoding: chunked")
        half = len(body) // 2
        parts = [body[:half], body[half:]]
        body = b"".join(b"%x\r\n" % len(p) + p + b"\r\n" for p in parts if p) + b"0\r\n\r\n"
    elif method == b"POST":
        h.append(b"Content-Length: %d" % len(body))
    if close:
        h.append(b"Connection: close")
    return b"\r\n".join(h) + b"\r\n\r\n" + body


def http_seeds():
    seeds = {}
    for feed, (_, folder, _) in FEEDS.items():
        good = [p.read_bytes() for p in inputs(folder, "good")[:3]]
        bad = [p.read_bytes() for p in inputs(folder, "bad")[:2]]
        for i, body in enumerate(good):
            seeds[f"{feed}-good-{i}"] = request(
                feed, body, extra=[b"Idempotency-Key: seed-%d" % i] if i == 0 else [])
        for i, body in enumerate(bad):
            seeds[f"{feed}-bad-{i}"] = request(feed, body)
        if good:
            # The same request twice on one connection: a repeated Idempotency-Key.
            again = request(feed, good[0], extra=[b"Idempotency-Key: again"], close=False)
            seeds[f"{feed}-keepalive"] = again + again
            seeds[f"{feed}-chunked"] = request(feed, good[0], chunked=True)
    body = inputs("ninjs", "good")[0].read_bytes()
    seeds.update({
        "not-found": request("ninjs", body, target=b"/v1/feeds/ninjs/other"),
        "bad-feed-id": request("ninjs", body, target=b"/v1/feeds/%2e%2e/stories"),
        "query": request("ninjs", body, target=b"/v1/feeds/ninjs/stories?x=1"),
        "unknown-feed": request("nope", body),
        "get": request("ninjs", b"", method=b"GET"),
        "no-key": request("ninjs", body, key=""),
        "basic-auth": request("ninjs", body, key="",
                              extra=[b"Authorization: Basic Zm9vOmJhcg=="]),
        "wrong-key": request("ninjs", body, key="dev-ap-key"),
        "unsigned": request("reuters", body, extra=[]).replace(b"X-Wiregate", b"X-Other"),
        "bad-type": request("ninjs", body, content_type="image/png"),
        "too-large": request("ninjs", body).replace(b"Content-Length: ", b"Content-Length: 9"),
        "long-key": request("ninjs", body, extra=[b"Idempotency-Key: " + b"k" * 300]),
        "http10": request("ninjs", body).replace(b"HTTP/1.1", b"HTTP/1.0"),
    })
    return seeds


def admin_seeds():
    def get(target, method=b"GET", close=False):
        r = method + b" " + target + b" HTTP/1.1\r\nHost: admin.test\r\n"
        return r + (b"Connection: close\r\n" if close else b"") + b"\r\n"
    return {
        "healthz": get(b"/healthz", close=True),
        "readyz": get(b"/readyz", close=True),
        "metrics": get(b"/metrics?x", close=True),
        "head": get(b"/healthz", b"HEAD", close=True),
        "post": b"POST /healthz HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
        "pipelined": get(b"/healthz") + get(b"/readyz") + get(b"/nope") + get(b"/metrics", close=True),
    }


# framer_fuzz.cpp's header: byte 0 the limit (index into k_max_frames), byte 1 the number of
# read sizes, then the read sizes minus one.
FRAMER_HEADERS = {
    "whole": b"\x07\x01\xff",          # 1 MiB, reads of 256
    "bytewise": b"\x07\x00",           # 1 MiB, reads of 1
    "mixed": b"\x05\x03\x10\x00\x80",  # 4 KiB, reads of 17, 1, 129
    "small": b"\x02\x02\x04\x1f",      # 200 bytes: oversize frames; reads of 5, 32
}


def framer_seeds(folder):
    seeds = {}
    for kind in ("good", "bad"):
        for p in inputs(folder, kind):
            for name, header in FRAMER_HEADERS.items():
                seeds[f"{kind}-{p.stem}-{name}"] = header + p.read_bytes()
    return seeds


def main():
    out = pathlib.Path(sys.argv[1])
    sets = {"http": http_seeds(), "http_admin": admin_seeds()}
    for f in ("anpa1312", "iptc7901", "zczc"):
        sets["framer_" + f] = framer_seeds(f)
    for name, seeds in sets.items():
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        for n, data in seeds.items():
            (d / n).write_bytes(data)
        print(f"seeds {name}: {len(seeds)} files in {d}")


if __name__ == "__main__":
    main()
