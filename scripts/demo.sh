#!/usr/bin/env bash
# demo.sh — what `make demo` shows: the GeoNames sample and its canned queries baked into a
# FROM-scratch container image with no daemon (amber build), the image inspected and verified,
# then run with no daemon and no root (amber run: the image's own /amberd from its unpacked
# layers) and asked three questions over HTTP. The server listens on 127.0.0.1 with a free
# port and is stopped by this script. AMBER and DEMO_OUT (default build/demo) let
# tests/e2e/test_demo.sh run it with another amber binary and output directory.
set -euo pipefail
cd "$(dirname "$0")/.."
amber=${AMBER:-bin/amber}
out=${DEMO_OUT:-build/demo}
mkdir -p "$out"
image=$out/geonames.tar
export XDG_CACHE_HOME=$(realpath "$out")/cache # amber run's unpack cache, kept inside the build tree

echo "== amber build: samples/geonames/cities500-extract.txt + samples/geonames/queries.sql -> $image"
SOURCE_DATE_EPOCH=0 "$amber" build --quiet --force --format geonames samples/geonames/cities500-extract.txt \
	--queries samples/geonames/queries.sql -t geonames:sample -o "$image" >/dev/null
echo
echo "== amber inspect $image"
"$amber" inspect "$image"
echo
echo "== amber verify $image"
"$amber" verify "$image"

echo
echo "== amber run $image --listen 127.0.0.1:0   (no daemon: the image's own /amberd)"
log=$out/run.log
"$amber" run "$image" --listen 127.0.0.1:0 2>"$log" &
server=$!
stop() {
	kill -TERM "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
}
trap stop EXIT
port=
for _ in $(seq 300); do
	port=$(sed -n 's/.* on 127\.0\.0\.1:\([0-9]*\) with.*/\1/p' "$log" | head -n 1)
	[ -n "$port" ] && curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
	kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
	sleep 0.05
done
[ -n "$port" ] || { cat "$log" >&2; echo "demo: the server did not start" >&2; exit 1; }
sed 's/^/   /' "$log"

ask() {
	echo
	echo "== $1"
	echo "   curl 'http://127.0.0.1:$port$2'"
	curl -sf "http://127.0.0.1:$port$2" | jq -r '.columns as $c | ($c | @tsv), (.rows[:5][] | map(tostring) | @tsv)' |
		column -t -s $'\t' | sed 's/^/   /'
}
ask "the most populous places of Switzerland (canned query by_country)" \
	"/v1/queries/by_country?country=CH&_limit=5"
ask "the places nearest to Santiago de Chile (canned query nearest: a lat/lon box)" \
	"/v1/queries/nearest?lat=-33.45&lon=-70.66&d=0.3&_limit=5"
ask "names starting with 'Zür' (canned query search: a prefix range on the name index)" \
	"/v1/queries/search?prefix=Z%C3%BCr&_limit=5"

echo
echo "== stopping the server (SIGTERM: it drains, then exits 0)"
stop
trap - EXIT
