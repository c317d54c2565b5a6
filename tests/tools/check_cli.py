#!/usr/bin/python3
"""Checks the CLI's documented exit statuses and messages (`wiregate`, no broker needed).

0 done, 1 failed (a refused input), 2 a usage error — never CLI11's own codes (100 and up); and
`normalize --format auto` on bytes no format claims says which formats it tried and why each
one refused them.
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path


def run(*args):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wiregate", required=True)
    args = ap.parse_args()
    w = args.wiregate
    problems = []

    def expect(what, want, got):
        if want != got[0]:
            problems.append(f"{what}: exit {got[0]}, expected {want}; stderr {got[2][-300:]!r}")
        return got

    expect("--help", 0, run(w, "--help"))
    expect("--version", 0, run(w, "--version"))
    expect("no subcommand", 2, run(w))
    expect("an unknown subcommand", 2, run(w, "no-such-command"))
    expect("an unknown option", 2, run(w, "normalize", "--no-such-option", "x"))
    expect("serve without --config", 2, run(w, "serve"))
    with tempfile.TemporaryDirectory() as d:
        junk = Path(d) / "junk.bin"
        junk.write_bytes(b"\x00\x01 this is no wire format at all \xff")
        code, _, err = expect("normalize --format auto on junk", 1,
                              run(w, "normalize", "--format", "auto", str(junk)))
        if "tried every format" not in err or "ninjs (" not in err or "nitf (" not in err:
            problems.append(f"normalize --format auto does not say what it tried: {err!r}")
    # check-config builds a real librdkafka configuration: a misspelt property is named.
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as d:
        cfg = Path(d) / "config.yaml"
        text = (root / "deploy/config/local.yaml").read_text()
        cfg.write_text(text.replace("    client.id: wiregate-local",
                                    "    client.id: wiregate-local\n    lingr.ms: 5", 1))
        code, _, err = expect("check-config with a misspelt librdkafka property", 1,
                              run(w, "check-config", str(cfg)))
        if "kafka.properties.lingr.ms" not in err:
            problems.append(f"check-config does not name the misspelt property: {err!r}")
        expect("check-config of the shipped local config", 0,
               run(w, "check-config", str(root / "deploy/config/local.yaml")))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok: exit statuses 0/1/2 and the auto-format explanation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
