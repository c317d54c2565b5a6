#!/usr/bin/env python3
"""Checks the client settings that docs/consumer-guide.md shows (ctest: docs.consumer_security).

usage: check_consumer_security.py --guide docs/consumer-guide.md [--kafka-libs DIR]

- every `kcat` and `wiregate tail` command of a ```sh block: its `-b` and `-X name=value`
  options, and every `Consumer({...})` of a ```python block: its dict, become a librdkafka
  configuration that python3-confluent-kafka's `Consumer(conf)` must accept (an unknown
  property or a bad value raises). Values that are not literals (`os.environ[...]`, a variable)
  become placeholders; every `*.location` file is replaced by a generated CA, certificate or key
  (openssl), since librdkafka loads them when the client is made; `bootstrap.servers` points at
  127.0.0.1:1 (nothing is connected to);
- every ```properties block (Java kafka-clients) is checked by kafka-clients' own
  ConsumerConfig (tests/tools/KafkaClientConfig.java with the jars of deploy/kafka/libs): every
  name known, every value accepted;
- both checkers are shown a misspelt property (Java's `ssl.truststore.location` to librdkafka,
  librdkafka's `sasl.mechanisms` to Java) and must refuse it, or the checks prove nothing.
Exit 0 when all is well, 1 on any failure, 77 (ctest: skipped) when confluent_kafka is missing,
or when nothing failed but java or the Kafka jars were (run scripts/setup)."""
import argparse
import ast
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

try:
    from confluent_kafka import Consumer, KafkaException
except ImportError as e:  # pragma: no cover
    print(f"skipped: {e}")
    sys.exit(77)

FENCE = re.compile(r"^([ \t]*)```(\w*)[^\n]*\n(.*?)^\1```[ \t]*$", re.S | re.M)


def blocks(text, lang):
    """(line number, body) of every fenced block of the language."""
    for m in FENCE.finditer(text):
        if m.group(2) == lang:
            yield text.count("\n", 0, m.start()) + 1, m.group(3)


def shell_commands(body):
    """The commands of a shell block: continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", body)
    for line in joined.splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        if words:
            yield words


def librdkafka_conf_of_command(words):
    """The librdkafka properties of a kcat or `wiregate tail` command, or None for others."""
    if words[0] == "kcat":
        start = 1
    elif words[:2] in (["wiregate", "tail"], ["build/bin/wiregate", "tail"]):
        start = 2
    else:
        return None
    conf, it = {}, iter(words[start:])
    for w in it:
        if w in ("-b", "--brokers"):
            conf["bootstrap.servers"] = next(it, "")
        elif w == "-X":
            name, _, value = next(it, "").partition("=")
            conf[name] = value
    return conf


def python_confs(body):
    """The dict literal of every Consumer(...)/Producer(...) call of a Python block."""
    tree = ast.parse(body)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", ""))
                in ("Consumer", "Producer") and node.args and isinstance(node.args[0], ast.Dict)):
            conf = {}
            for k, v in zip(node.args[0].keys, node.args[0].values):
                try:
                    value = ast.literal_eval(v)
                except ValueError:
                    value = "placeholder"
                conf[ast.literal_eval(k)] = value
            yield node.func.id if hasattr(node.func, "id") else node.func.attr, conf


def properties_of(body):
    props = {}
    for line in body.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")):
            key, _, value = line.partition("=")
            props[key.strip()] = value.strip()
    return props


def make_pki(root):
    """A CA, a client certificate signed by it and its unencrypted key, in PEM."""
    def ossl(*args):
        subprocess.run(["openssl", *args], cwd=root, check=True, capture_output=True)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
         "-days", "2", "-subj", "/CN=doc-check-ca")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr",
         "-subj", "/CN=doc-check-client")
    ossl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "client.crt", "-days", "2")
    return {"ssl.ca.location": root / "ca.pem", "ssl.certificate.location": root / "client.crt",
            "ssl.key.location": root / "client.key"}


def librdkafka_problem(conf, pki):
    """None when librdkafka builds a consumer from conf, else its error."""
    conf = dict(conf)
    conf["bootstrap.servers"] = "127.0.0.1:1"
    for name in conf:
        if name.endswith(".location"):
            conf[name] = str(pki.get(name, pki["ssl.ca.location"]))
    conf.setdefault("group.id", "doc-check")
    conf["log_level"] = 0  # quiet: the connection to 127.0.0.1:1 is refused by design
    try:
        Consumer(conf).close()
        return None
    except (KafkaException, ValueError, TypeError) as e:
        return str(e)


def java_problem(java, libs, props, tmp):
    path = pathlib.Path(tmp) / "consumer.properties"
    path.write_text("".join(f"{k}={v}\n" for k, v in props.items()), encoding="utf-8")
    run = subprocess.run([java, "-cp", f"{libs}/*",
                          str(pathlib.Path(__file__).parent / "KafkaClientConfig.java"),
                          str(path)], capture_output=True, text=True, timeout=120)
    out = run.stdout.strip().splitlines()
    if run.returncode == 0 and out and out[-1] == "ok":
        return None
    return (out[-1:] or run.stderr.strip().splitlines()[-1:] or ["no output"])[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--guide", required=True, type=pathlib.Path)
    ap.add_argument("--kafka-libs", type=pathlib.Path,
                    help="kafka-clients jars; default: deploy/kafka/libs beside the guide")
    args = ap.parse_args()
    libs = args.kafka_libs or args.guide.resolve().parent.parent / "deploy/kafka/libs"
    text = args.guide.read_text(encoding="utf-8")
    name = args.guide.name
    failures, passed, missing = [], 0, []

    with tempfile.TemporaryDirectory() as tmp:
        pki = make_pki(pathlib.Path(tmp))
        secured = 0
        for line, body in blocks(text, "sh"):
            for words in shell_commands(body):
                conf = librdkafka_conf_of_command(words)
                if conf is None:
                    continue
                secured += any(k.startswith(("security.", "sasl.", "ssl.")) for k in conf)
                problem = librdkafka_problem(conf, pki)
                if problem:
                    failures.append(f"{name}:{line}: `{' '.join(words[:2])} …`: librdkafka: "
                                    f"{problem}")
                else:
                    passed += 1
        for line, body in blocks(text, "python"):
            for call, conf in python_confs(body):
                secured += any(k.startswith(("security.", "sasl.", "ssl.")) for k in conf)
                problem = librdkafka_problem(conf, pki)
                if problem:
                    failures.append(f"{name}:{line}: {call}(...): librdkafka: {problem}")
                else:
                    passed += 1
        if secured < 4:
            failures.append(f"{name}: {secured} kcat/Python examples with security properties; "
                            "expected SASL/SCRAM and mTLS ones for kcat and Python")
        if not librdkafka_problem({"security.protocol": "SSL",
                                   "ssl.truststore.location": "ca.pem"}, pki):
            failures.append("librdkafka accepted the Java name ssl.truststore.location: "
                            "proves nothing")

        java = shutil.which("java")
        java_blocks = list(blocks(text, "properties"))
        if len(java_blocks) < 2:
            failures.append(f"{name}: {len(java_blocks)} ```properties blocks; expected the "
                            "SASL/SCRAM and mTLS ones for Java")
        if not java or not any(libs.glob("kafka-clients-*.jar")):
            missing.append("java" if not java else f"kafka-clients jar in {libs}")
        else:
            for line, body in java_blocks:
                problem = java_problem(java, libs, properties_of(body), tmp)
                if problem:
                    failures.append(f"{name}:{line}: Java ConsumerConfig: {problem}")
                else:
                    passed += 1
            bad = properties_of(java_blocks[0][1]) if java_blocks else {}
            bad["sasl.mechanisms"] = "SCRAM-SHA-512"
            if not java_problem(java, libs, bad, tmp):
                failures.append("ConsumerConfig accepted the librdkafka name sasl.mechanisms: "
                                "proves nothing")

    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    print(f"{passed} client configurations accepted, {len(failures)} failures"
          + (f", not checked for want of: {', '.join(missing)}" if missing else ""))
    if failures:
        return 1
    return 77 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
