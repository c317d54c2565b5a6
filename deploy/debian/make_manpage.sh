#!/bin/sh
# make_manpage.sh WIREGATE OUT: the man page wiregate(1), from the CLI's own help with help2man
# (the text every `--help` prints, so the page cannot drift from the options), one section per
# subcommand.
set -eu
wiregate=$1
out=$2
include=$(mktemp)
trap 'rm -f "$include"' EXIT
{
    echo "[SUBCOMMANDS]"
    for cmd in $("$wiregate" --help | sed -n '/^Subcommands:/,$p' | awk 'NF && !/^Subcommands:/ {print $1}'); do
        echo ".SS $cmd"
        echo ".nf"
        "$wiregate" "$cmd" --help | sed 's/\\/\\e/g; s/^\./\\\&./'
        echo ".fi"
    done
    echo "[EXIT STATUS]"
    echo "0 done; 1 failed (a refused input or answer, an unreachable gateway, an unclean drain);"
    echo "2 a usage error; 3 serve could not start."
    echo "[FILES]"
    echo "/etc/wiregate/config.yaml, /etc/wiregate/wiregate.env, /var/lib/wiregate (spool)."
} > "$include"
help2man --no-info --section 1 --name "news-agency wire gateway (wire copy in, IPTC ninjs to Kafka)" \
    --include "$include" --version-string "$("$wiregate" --version | awk '{print $2}')" \
    "$wiregate" > "$out"
