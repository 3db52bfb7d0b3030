#!/usr/bin/env bash
# geonames.sh — builds an amber image of a GeoNames export with the GeoNames preset and the
# sample's canned queries (samples/geonames/queries.sql).
#
#   scripts/geonames.sh NAME [--from FILE] [-o OUT] [amber build options...]
#
# NAME is an export of https://download.geonames.org/export/dump/: cities500, cities1000,
# cities5000, cities15000, allCountries, or a country code such as CL. Without --from the script
# downloads NAME.zip from there: the one place where amber's tools use the network, and only
# when asked. With --from FILE it reads FILE: NAME.txt as exported, compressed (.gz, .zst, .xz,
# .bz2: amber reads these itself) or the .zip as downloaded (checked, then streamed through a
# pipe named NAME.txt, so nothing is unpacked on disk).
#
# OUT defaults to geonames-NAME.tar (an OCI archive docker can load too); the tag to
# geonames:NAME (lowercase). Other options go to `amber build` and win over these defaults
# (e.g. -t REGISTRY/geonames:2026-11, --db-out FILE, --compression zstd).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
URL_BASE=https://download.geonames.org/export/dump
QUERIES=$ROOT/samples/geonames/queries.sql
if [ -n "${AMBER:-}" ]; then :; elif [ -x "$ROOT/bin/amber" ]; then AMBER=$ROOT/bin/amber; else AMBER=amber; fi

# usage [STATUS]: the header above; on stdout with status 0 (--help), else on stderr.
usage() {
	local status=${1:-2}
	sed -n '5,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//; 1s/^ */usage: /' >&$((status ? 2 : 1))
	exit "$status"
}
die() {
	echo "geonames.sh: $*" >&2
	exit 1
}

[ $# -ge 1 ] || usage
case $1 in -h | --help) usage 0 ;; esac
name=$1
shift
case $name in
cities[0-9]* | allCountries) ;;
[A-Za-z][A-Za-z]) name=${name^^} ;;
*) die "'$name' is not a GeoNames export of places (cities500, cities1000, cities5000, cities15000, allCountries or a country code such as CL)" ;;
esac
[[ $name =~ ^(cities[0-9]+|allCountries|[A-Z][A-Z])$ ]] || die "'$name' is not a GeoNames export of places"

from="" out="geonames-$name.tar"
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--from) [ $# -ge 2 ] || usage; from=$2; shift 2 ;;
	-o | --output) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	*) extra+=("$1"); shift ;;
	esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/geonames.XXXXXX")
writer=""
cleanup() {
	[ -n "$writer" ] && kill "$writer" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "$from" ]; then
	from=$tmp/$name.zip
	echo "geonames.sh: downloading $URL_BASE/$name.zip (network use; give --from FILE to stay offline)" >&2
	curl -fL --retry 2 --progress-bar -o "$from" "$URL_BASE/$name.zip" || die "download of $name.zip failed"
fi
[ -f "$from" ] || die "$from: no such file"

input=$from
if [ "$(head -c 4 "$from" | od -An -tx1 | tr -d ' \n')" = 504b0304 ]; then
	# A zip: amber reads compressed streams, not archives. The member is NAME.txt (country zips
	# also hold a readme.txt); its CRC is checked first, because a stream cannot take back bytes
	# amber has already stored.
	member=$(unzip -Z1 "$from" | grep -Fx "$name.txt" || unzip -Z1 "$from" | grep '\.txt$' | grep -vFx readme.txt | head -1 || true)
	[ -n "$member" ] || die "$from: no $name.txt inside"
	unzip -tqq "$from" "$member" >/dev/null || die "$from: the zip is damaged"
	input=$tmp/$name.txt
	mkfifo "$input"
	unzip -p "$from" "$member" >"$input" &
	writer=$!
fi

status=0
"$AMBER" build -f geonames "$input" --queries "$QUERIES" -t "geonames:${name,,}" -o "$out" "${extra[@]}" || status=$?
if [ -n "$writer" ]; then
	pid=$writer writer=""
	if [ $status -ne 0 ]; then
		# amber may have stopped before opening the pipe, where the writer waits for a reader.
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	elif ! wait "$pid"; then
		# amber read to the end of what it was given, but unzip stopped early.
		rm -rf "$out"
		die "$from: unzip failed while amber read it; $out removed"
	fi
fi
exit $status
