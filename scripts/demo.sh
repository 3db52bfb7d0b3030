#!/usr/bin/env bash
# demo.sh — what `make demo` shows: the GeoNames sample baked into a FROM-scratch container
# image with no daemon (amber build), the image inspected and verified, then a few queries
# against its database (opened read-only and immutable, as the server will).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/demo
mkdir -p "$out"
db=$out/geonames.db

image=$out/geonames.tar
echo "== amber build: samples/geonames/cities500-extract.txt -> $image (OCI archive docker can load too)"
SOURCE_DATE_EPOCH=0 bin/amber build --force --format geonames samples/geonames/cities500-extract.txt \
	-t geonames:sample -o "$image" --db-out "$db"
echo
echo "== amber inspect $image"
bin/amber inspect "$image"
echo
echo "== amber verify $image"
bin/amber verify "$image"
echo
echo "== $db (kept with --db-out): $(stat -c %s "$db") bytes, sha256 $(sha256sum "$db" | cut -c1-16)…"

query() {
	echo
	echo "== $1"
	echo "   $2"
	sqlite3 -header -column "file:$db?immutable=1" "$2"
}
query "what the database says about itself (_amber_meta)" \
	"SELECT key, value FROM _amber_meta WHERE key NOT LIKE 'source.%.compression';"
query "the five largest places per country, three countries" \
	"SELECT country_code AS cc, name, population FROM (SELECT *, row_number() OVER (PARTITION BY country_code ORDER BY population DESC) AS r FROM geoname WHERE country_code IN ('CH','CL','NZ')) WHERE r <= 5;"
query "name prefix search through the asciiname index" \
	"SELECT geonameid, name, country_code AS cc, round(latitude,3) AS lat, round(longitude,3) AS lon FROM geoname WHERE asciiname >= 'Zu' AND asciiname < 'Zv' ORDER BY asciiname LIMIT 5;"
query "places within ~20 km of Santiago de Chile (bounding box on lat/lon)" \
	"SELECT name, population, round(latitude,3) AS lat, round(longitude,3) AS lon FROM geoname WHERE latitude BETWEEN -33.63 AND -33.27 AND longitude BETWEEN -70.86 AND -70.44 ORDER BY population DESC LIMIT 5;"
query "the query plan uses the indexes built after loading" \
	"EXPLAIN QUERY PLAN SELECT * FROM geoname WHERE country_code = 'JP' AND admin1_code = '40';"
