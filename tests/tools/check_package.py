#!/usr/bin/env python3
"""The Debian package as an operator gets it (deploy/debian/packaging.cmake).

  check_package.py --build-dir BUILD --root SOURCE

Builds the .deb with cpack from the release build, runs lintian (an error fails; the tags of
deploy/debian/lintian-overrides are accepted), unpacks it with `dpkg -x` and checks: the
packaged binary runs (`--version`) and accepts the packaged config (`check-config`, with the
variables of the packaged environment file set); the unit starts /usr/bin/wiregate; the config
and environment file are conffiles with their modes; the maintainer scripts are valid sh; the
man page documents every subcommand; the bash completion is valid bash and offers every
subcommand. Exit 0 when all hold, 1 otherwise.
"""
import argparse
import gzip
import os
import pathlib
import re
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    root = pathlib.Path(args.root)
    problems = []

    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        r = run(["cpack", "--config", str(pathlib.Path(args.build_dir) / "CPackConfig.cmake"),
                 "-B", str(tmp / "out")])
        debs = list((tmp / "out").glob("wiregate_*.deb"))
        if r.returncode != 0 or len(debs) != 1:
            print(r.stdout, r.stderr)
            print("FAIL cpack made no package")
            return 1
        deb = debs[0]
        print("package", deb.name)

        r = run(["lintian", "--fail-on", "error", "--suppress-tags-from-file",
                 str(root / "deploy/debian/lintian-overrides"), str(deb)])
        print(r.stdout.strip())
        if r.returncode != 0:
            problems.append("lintian: " + (r.stdout + r.stderr).strip())

        tree = tmp / "tree"
        subprocess.run(["dpkg", "-x", str(deb), str(tree)], check=True)
        control = tmp / "control"
        subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
        binary = tree / "usr/bin/wiregate"

        version = run([str(binary), "--version"])
        if version.returncode != 0 or not version.stdout.startswith("wiregate "):
            problems.append("--version: " + version.stdout + version.stderr)

        env = dict(os.environ)
        env_file = tree / "etc/wiregate/wiregate.env"
        for line in env_file.read_text().splitlines():
            m = re.match(r"^([A-Z_][A-Z0-9_]*)=", line)
            if m:
                env[m.group(1)] = "package-test-value"
        check = run([str(binary), "check-config", str(tree / "etc/wiregate/config.yaml")], env=env)
        if check.returncode != 0:
            problems.append("check-config on the packaged config: " + check.stdout + check.stderr)

        unit = (tree / "lib/systemd/system/wiregate.service").read_text()
        if "ExecStart=/usr/bin/wiregate serve --config /etc/wiregate/config.yaml" not in unit:
            problems.append("the unit does not start /usr/bin/wiregate with the packaged config")

        conffiles = (control / "conffiles").read_text().split()
        for f in ("/etc/wiregate/config.yaml", "/etc/wiregate/wiregate.env"):
            if f not in conffiles:
                problems.append(f + " is not a conffile")
        modes = {"etc/wiregate/config.yaml": 0o640, "etc/wiregate/wiregate.env": 0o600}
        for f, mode in modes.items():
            got = (tree / f).stat().st_mode & 0o777
            if got != mode:
                problems.append(f"{f}: mode {oct(got)}, want {oct(mode)}")
        for script in ("postinst", "postrm"):
            if run(["sh", "-n", str(control / script)]).returncode != 0:
                problems.append(script + " is not valid sh")
        if "adduser" not in (control / "postinst").read_text():
            problems.append("postinst creates no system user")

        commands = [line.split()[0] for line in
                    run([str(binary), "--help"]).stdout.split("Subcommands:")[1].splitlines()
                    if line.strip()]
        man = gzip.decompress((tree / "usr/share/man/man1/wiregate.1.gz").read_bytes()).decode()
        for c in commands:
            if f".SS {c}\n" not in man:
                problems.append(f"the man page has no section for {c}")
        completion = tree / "usr/share/bash-completion/completions/wiregate"
        if run(["bash", "-n", str(completion)]).returncode != 0:
            problems.append("the bash completion is not valid bash")
        offered = run(["bash", "-c", f"source {completion}; COMP_WORDS=(wiregate ''); "
                       "COMP_CWORD=1; _wiregate; echo ${COMPREPLY[@]}"]).stdout.split()
        for c in commands:
            if c not in offered:
                problems.append(f"the completion does not offer {c}")

    for p in problems:
        print("FAIL", p)
    print("package checks:", "ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
