#!/bin/sh
# Push one document to a wiregate feed that requires HMAC request signing (auth.hmac).
#   WIREGATE_URL=https://wire.example.net WIREGATE_KEY=… WIREGATE_HMAC_SECRET=… \
#     docs/examples/post_signed.sh FEED FILE [CONTENT-TYPE]
# The signature is HMAC-SHA256(secret, timestamp + "." + body) in hex, sent as
# "X-Wiregate-Signature: sha256=<hex>" with the same timestamp in X-Wiregate-Timestamp.
# Prints the gateway's JSON answer, then the HTTP status on a line of its own.
set -eu
feed=$1 file=$2 type=${3:-application/octet-stream}
ts=$(date +%s)
sig=$( { printf '%s.' "$ts"; cat "$file"; } |
      openssl dgst -sha256 -hmac "$WIREGATE_HMAC_SECRET" -r | cut -d' ' -f1)
curl -sS --data-binary @"$file" -w '\n%{http_code}\n' \
    -H "Authorization: Bearer $WIREGATE_KEY" \
    -H "Content-Type: $type" \
    -H "X-Wiregate-Timestamp: $ts" \
    -H "X-Wiregate-Signature: sha256=$sig" \
    "$WIREGATE_URL/v1/feeds/$feed/stories"
