#!/usr/bin/python3
"""A desk consumer of wiregate's Kafka topics (docs/consumer-guide.md), with Debian's
python3-confluent-kafka.

Prints one line per message and applies the contract: the key is `<agency>:<uri>`, versions of
a story arrive in order on one partition, `wire.version_order` orders them, an (agency, uri,
version) already seen is a duplicate, a kill or withhold withdraws every version, dead letters carry
`wiregate-*` headers instead of an envelope.

  desk_consumer.py --brokers 127.0.0.1:19092 --topic desk.europe --group europe-desk
  desk_consumer.py --brokers B --topic T --from-beginning --max 10   # a throwaway group

Lines:  <signal> <uri> v<version> U<urgency> <headline> [warning: …]
        skip <uri> v<version>: duplicate | older than v<newest>
        dead <feed> <reason>: <message>
        unreadable <topic>/<partition>@<offset>: <why>
"""
import argparse
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError


def headline(story):
    heads = story.get("headlines", [])
    main = [h["value"] for h in heads if h.get("role") == "main"]
    return (main or [h["value"] for h in heads] or [story.get("title", "(no headline)")])[0]


class Desk:
    """What a desk keeps per story: the newest version seen (by wire.version_order)."""

    def __init__(self):
        self.newest = {}  # (agency, uri) -> (version_order, version)

    def line(self, msg):
        headers = {k: (v or b"").decode("utf-8", "replace") for k, v in (msg.headers() or [])}
        if "wiregate-reason" in headers:  # a dead letter: the raw input, not an envelope
            return "dead {} {}: {}".format(headers.get("wiregate-feed", "-"),
                                           headers["wiregate-reason"],
                                           headers.get("wiregate-message", ""))
        where = f"{msg.topic()}/{msg.partition()}@{msg.offset()}"
        try:
            envelope = json.loads(msg.value())
            story, wire = envelope["story"], envelope["wire"]
            if envelope.get("schema") != "wiregate.story/1":
                raise ValueError(f"schema {envelope.get('schema')!r}")
        except (ValueError, KeyError, TypeError) as e:
            return f"unreadable {where}: {e}"
        uri, version = story["uri"], story.get("version", "")
        order = wire["version_order"]  # compare as strings: versioncreated/zero-padded version
        story_id = (wire.get("agency", ""), uri)
        seen = self.newest.get(story_id)
        if seen and order == seen[0]:
            return f"skip {uri} v{version}: duplicate"
        if seen and order < seen[0]:
            return f"skip {uri} v{version}: older than v{seen[1]}"
        self.newest[story_id] = (order, version)
        text = "{} {} v{} U{} {}".format(wire["signal"], uri, version,
                                         story.get("urgency", "-"), headline(story))
        if wire.get("warnings"):
            text += " [warning: {}]".format(
                "; ".join(w if isinstance(w, str) else "{code}: {message}".format(**w)
                          for w in wire["warnings"]))  # plain strings from earlier gateways
        return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brokers", default="127.0.0.1:19092")
    ap.add_argument("--topic", action="append", required=True, help="repeat for several")
    ap.add_argument("--group", help="consumer group (default: a throwaway one)")
    ap.add_argument("--from-beginning", action="store_true")
    ap.add_argument("--max", type=int, default=0, help="stop after N messages")
    ap.add_argument("--timeout", type=float, default=0, help="stop after S seconds")
    args = ap.parse_args()
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": args.group or f"desk-example-{os.getpid()}-{time.time_ns()}",
        "auto.offset.reset": "earliest" if args.from_beginning else "latest",
        # Commit only what was handled: a crash re-delivers, the (agency, uri, version) check drops it.
        "enable.auto.commit": bool(args.group),
    })
    consumer.subscribe(args.topic)
    desk, count = Desk(), 0
    deadline = time.monotonic() + args.timeout if args.timeout else None
    try:
        while (not args.max or count < args.max) and (not deadline or time.monotonic() < deadline):
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    print(f"error: {msg.error()}", file=sys.stderr)
                continue
            print(desk.line(msg), flush=True)
            count += 1
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
