#!/usr/bin/env bash
# test_geonames_script.sh — scripts/geonames.sh offline (always with --from): the sample extract
# as .txt, .txt.zst and .zip becomes an image with the GeoNames preset and the sample's canned
# queries (checked in the image's labels and in the database kept with --db-out, where each
# stored query runs); options pass through to amber build; bad names, missing and damaged files
# fail with nothing written; `amber build --queries` refuses bad queries with their place and
# writes nothing. The download path is not exercised: the tests use no network.
. "$(dirname "$0")/lib.sh"
SAMPLE=$ROOT/samples/geonames/cities500-extract.txt
SCRIPT=$ROOT/scripts/geonames.sh
SERVER=$ROOT/bin/amberd
ROWS=$(wc -l <"$SAMPLE")
cd "$WORK"
export AMBER
gn() { "$SCRIPT" "$@" --server "$SERVER" -q; }
label() { "$AMBER" inspect --json "$1" | jq -r ".labels[\"$2\"]"; }

mkdir txt
check "builds the extract (.txt) with --from, no download" bash -c \
	"'$SCRIPT' cities500 --from '$SAMPLE' -o txt/geo.tar --db-out txt/geo.db --server '$SERVER' -q 2>txt/err && ! grep -q download txt/err"
check "only the image and the database are written" only_files txt err geo.db geo.tar
check "the tag defaults to geonames:NAME" test "$("$AMBER" inspect --json txt/geo.tar | jq -r .reference)" = localhost/geonames:cities500
check "amber inspect lists the canned queries (io.amber.queries label)" bash -c \
	"'$AMBER' inspect txt/geo.tar | grep -qx '  io.amber.queries=by_country,nearest,search'"
check "the database holds the three queries with their parameters" test \
	"$(sqlite3 txt/geo.db "SELECT group_concat(name || params, ' ') FROM (SELECT * FROM _amber_queries ORDER BY name)")" = \
	'by_country["country"] nearest["lat","lon","d"] search["prefix"]'
# run NAME SETUP...: the stored SQL of query NAME, run by sqlite3 after the .param lines SETUP.
run() { local n=$1; shift; sqlite3 txt/geo.db "$@" "$(sqlite3 txt/geo.db "SELECT sql FROM _amber_queries WHERE name = '$n'")"; }
check "by_country: the most populous place of Iceland first, at most 100" bash -c \
	"[ \"\$(sqlite3 txt/geo.db \".param set :country IS\" \"\$(sqlite3 txt/geo.db \"SELECT sql FROM _amber_queries WHERE name = 'by_country'\")\" | head -1 | cut -d'|' -f2)\" = Reykjavík ]"
check "by_country returns 100 rows for Japan" test "$(run by_country '.param set :country JP' | wc -l)" = 100
check "nearest: Bern first near its own coordinates, 10 rows" test \
	"$(run nearest '.param set :lat 46.95' '.param set :lon 7.45' '.param set :d 0.5' | cut -d'|' -f2 | head -1)$(run nearest '.param set :lat 46.95' '.param set :lon 7.45' '.param set :d 0.5' | wc -l)" = Bern10
check "search: every name starts with the prefix, Zürich first" test \
	"$(run search ".param set :prefix 'Zür'" | cut -d'|' -f2 | awk 'index($0, "Zür") != 1 {bad = 1} END {print (NR > 0 && !bad)}')$(run search ".param set :prefix 'Zür'" | head -1 | cut -d'|' -f2)" = 1Zürich
check "search uses the name index (a range, not a scan)" bash -c \
	"sqlite3 txt/geo.db \"EXPLAIN QUERY PLAN \$(sqlite3 txt/geo.db \"SELECT sql FROM _amber_queries WHERE name = 'search'\")\" | grep -q 'USING INDEX idx_geoname_name (name>? AND name<?)'"
check "the same input gives the same image digest (reproducible with the queries stored)" test \
	"$(gn cities500 --from "$SAMPLE" -o txt/again.tar)" = "$(jq -r '.manifests[0].digest' <(tar -xOf txt/geo.tar index.json))"

# amberd serves the stored queries as /v1/queries/NAME (parameters arrive as text).
start_server txt/amberd.log "$SERVER" --db txt/geo.db --listen 127.0.0.1:0 --threads 1
U=http://127.0.0.1:$PORT/v1/queries
check "amberd serves search by prefix (percent-encoded UTF-8)" test \
	"$(curl -s "$U/search?prefix=Z%C3%BCr" | jq -r '.rows[0][1]')" = Zürich
check "amberd serves nearest with text parameters made numbers" test \
	"$(curl -s "$U/nearest?lat=46.95&lon=7.45&d=0.2" | jq -r '[.rows[0][1], (.rows | length)] | join(" ")')" = "Bern 10"
check "amberd serves by_country" test "$(curl -s "$U/by_country?country=NZ" | jq -r '.rows | length')" = 100
check "/v1/meta lists the queries with their parameters" test \
	"$(curl -s "http://127.0.0.1:$PORT/v1/meta" | jq -c '[.queries[] | [.name, .params]]')" = \
	'[["by_country",["country"]],["nearest",["lat","lon","d"]],["search",["prefix"]]]'
kill "$PID"
wait "$PID" 2>/dev/null

mkdir zst
zstd -q "$SAMPLE" -o zst/cities500.txt.zst
check "builds from .txt.zst (amber decompresses it)" gn cities500 --from zst/cities500.txt.zst -o zst/geo.tar
check "  ... same rows, source recorded as zstd" test "$(label zst/geo.tar io.amber.table.geoname.rows) $(label zst/geo.tar io.amber.source.1.compression)" = "$ROWS zstd"

mkdir zip
python3 -c "import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[2], 'CL.txt'); z.writestr('readme.txt', 'about CL')" zip/CL.zip "$SAMPLE"
check "builds from a country .zip (lowercase code accepted), reading NAME.txt, not readme.txt" gn cl --from zip/CL.zip -o zip/cl.tar
check "  ... every row, named CL.txt, tagged geonames:cl" test \
	"$(label zip/cl.tar io.amber.table.geoname.rows) $(label zip/cl.tar io.amber.source.1.name) $("$AMBER" inspect --json zip/cl.tar | jq -r .reference)" = \
	"$ROWS CL.txt localhost/geonames:cl"
check "  ... with the same database content as from the .txt (the source's sha256 is the text's)" test \
	"$(label zip/cl.tar io.amber.source.1.sha256)" = "$(sha256sum "$SAMPLE" | cut -c1-64)"
check "extra options go to amber build and win (-t, --compression)" bash -c \
	"'$SCRIPT' cities500 --from '$SAMPLE' -o zip/z.tar -t registry.local/geo:7 --compression zstd --server '$SERVER' -q >/dev/null && \
	 [ \"\$('$AMBER' inspect --json zip/z.tar | jq -r '.reference, .layers[1].media_type' | tr '\n' ' ')\" = 'registry.local/geo:7 application/vnd.oci.image.layer.v1.tar+zstd ' ]"

mkdir bad
cp zip/CL.zip bad/damaged.zip
printf 'XXXXXXXX' | dd of=bad/damaged.zip bs=1 seek=200 conv=notrunc 2>/dev/null
check_fails "a damaged zip fails before amber reads it" "damaged" gn CL --from bad/damaged.zip -o bad/out.tar
python3 -c "import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('readme.txt', 'nothing else')" bad/empty.zip
check_fails "a zip without a .txt export fails" "no CL.txt inside" gn CL --from bad/empty.zip -o bad/out.tar
check_fails "a missing --from file fails" "no such file" gn cities500 --from bad/nothing.txt -o bad/out.tar
check_fails "an export that is not places fails" "not a GeoNames export" gn alternateNames --from "$SAMPLE" -o bad/out.tar
check_fails "amber's own errors come through" "unknown|unrecognized" gn cities500 --from "$SAMPLE" -o bad/out.tar --no-such-option
check "nothing was written by the failures, no pipe or temporary left" only_files bad damaged.zip empty.zip

# --- amber build --queries refusals (the script's queries are valid; these are not) ---------------
mkdir q
printf -- '-- name: ok\nSELECT 1;\n\n-- name: typo\nSELECT nme\nFROM geoname;\n' >q/bad.sql
check_fails "an unknown column fails the build at its file:line:column with SQLite's message" \
	"q/bad.sql:5:8: query 'typo': no such column: nme" \
	"$AMBER" build -q --server "$SERVER" -f geonames "$SAMPLE" --queries q/bad.sql -o q/out.tar --db-out q/out.db
printf -- '-- name: wipe\nDELETE FROM geoname;\n' >q/write.sql
check_fails "a write fails the build" "q/write.sql:2:1: query 'wipe': only reads" \
	"$AMBER" build -q --server "$SERVER" -f geonames "$SAMPLE" --queries q/write.sql -o q/out.tar
printf -- 'SELECT 1;\n' >q/noname.sql
check_fails "a statement without a name fails before the conversion" "q/noname.sql:1:1: .*'-- name: NAME'" \
	"$AMBER" build -q --server "$SERVER" -f geonames "$SAMPLE" --queries q/noname.sql -o q/out.tar
check "nothing was written by the refused builds" only_files q bad.sql noname.sql write.sql

FULL=$ROOT/../shared/data/geonames/cities500.txt.zst
if [ -f "$FULL" ]; then
	echo "SKIP geonames.sh on the full cities500: $FULL is present, but full builds are tested in test_build.sh"
else
	echo "SKIP geonames.sh on the full cities500: $FULL is absent"
fi

finish
