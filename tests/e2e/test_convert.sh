#!/usr/bin/env bash
# test_convert.sh — `amber convert` end to end, as a user runs it: the GeoNames sample and
# the full cities500 file (when ../shared is there), CSV/TSV features, compressed and stdin
# inputs, reproducibility, and every kind of bad input (clear error, exit 1, nothing left).
. "$(dirname "$0")/lib.sh"
SAMPLE=$ROOT/samples/geonames/cities500-extract.txt
FULL=${AMBER_GEONAMES:-$ROOT/../shared/data/geonames/cities500.txt.zst}
cd "$WORK"
q() { sqlite3 "file:$1?immutable=1" "$2"; }

# --- the GeoNames sample -------------------------------------------------------------------
mkdir out
check "sample converts" "$AMBER" convert -q --format geonames "$SAMPLE" -o out/g.db
check "sample: row count equals the file's lines" test "$(q out/g.db 'select count(*) from geoname')" = "$(wc -l <"$SAMPLE")"
check "sample: lat/lon REAL, population INTEGER, empty elevation NULL" test \
	"$(q out/g.db "select count(*) from geoname where typeof(latitude)='real' and typeof(longitude)='real' and typeof(population)='integer' and (elevation is null or typeof(elevation)='integer')")" = "$(wc -l <"$SAMPLE")"
check "sample: empty elevations are NULL, not ''" test "$(q out/g.db "select count(*) from geoname where elevation is null")" = "$(awk -F'\t' '$16==""' "$SAMPLE" | wc -l)"
check "sample: the stray quote survives (TSV has no quoting)" test \
	"$(q out/g.db "select name from geoname where geonameid=11189102")" = 'Poselok Turisticheskogo pansionata "Klyazminskoe vodohranilische"'
check "sample: five indexes" test "$(q out/g.db "select count(*) from sqlite_master where type='index' and tbl_name='geoname'")" = 5
check "sample: _amber_meta row count and source sha256" test \
	"$(q out/g.db "select value from _amber_meta where key in ('table.geoname.rows','source.1.sha256') order by key")" = \
	"$(sha256sum <"$SAMPLE" | cut -d' ' -f1)
$(wc -l <"$SAMPLE")"
check "only the database is left in the output directory" only_files out g.db

# Every field equals the source: export back (reals in shortest form) and compare byte for byte.
export_geoname() {
	sqlite3 -separator $'\t' -nullvalue '' "file:$1?immutable=1" "select geonameid, name, asciiname, alternatenames,
	printf('%.15g', latitude), printf('%.15g', longitude), feature_class, feature_code, country_code, cc2,
	admin1_code, admin2_code, admin3_code, admin4_code, population, elevation, dem, timezone, modification_date
	from geoname order by geonameid"
}
check "sample: exported back equals the source byte for byte" cmp <(export_geoname out/g.db) <(sort -t$'\t' -k1,1n "$SAMPLE")

check "--check quick converts" "$AMBER" convert -q --check quick -f geonames "$SAMPLE" -o out/quick.db
check "--check quick gives the same bytes as the full check" cmp out/g.db out/quick.db
rm out/quick.db

# --- reproducibility -------------------------------------------------------------------------
"$AMBER" convert -q -f geonames "$SAMPLE" -o out/g2.db
check "same input twice gives identical bytes" cmp out/g.db out/g2.db
SOURCE_DATE_EPOCH=1700000000 "$AMBER" convert -q -f geonames "$SAMPLE" -o out/g3.db
check "SOURCE_DATE_EPOCH is the stored build time" test "$(q out/g3.db "select value from _amber_meta where key='build_time'")" = 2023-11-14T22:13:20Z

# --- the full cities500 file (extended test) ----------------------------------------------------
if [ -f "$FULL" ]; then
	check "cities500: converts from .zst" "$AMBER" convert -q "$FULL" -o full.db
	check "cities500: 199,568 rows" test "$(q full.db 'select count(*) from geoname')" = 199568
	check "cities500: exported back equals the source byte for byte" cmp <(export_geoname full.db) <(zstd -dc "$FULL" | sort -t$'\t' -k1,1n)
	check "cities500: types" test "$(q full.db "select count(*) from geoname where typeof(latitude)='real' and typeof(population)='integer' and typeof(elevation) in ('integer','null')")" = 199568
	"$AMBER" convert -q "$FULL" -o full2.db
	check "cities500: two builds are byte-identical" cmp full.db full2.db
	rm -f full.db full2.db
else
	echo "SKIP cities500 extended test: $FULL is absent (it lives in ../shared/data/geonames)"
fi

# --- compression, detected by content ----------------------------------------------------------
head -200 "$SAMPLE" >small.txt
gzip -c small.txt >small.gz.bin
xz -c small.txt >small.xz.bin
bzip2 -c small.txt >small.bz2.bin
zstd -q -c small.txt >small.zst.bin
for f in gz xz bz2 zst; do
	"$AMBER" convert -q -f geonames small.$f.bin -o small-$f.db
	check "$f input read by content: 200 rows" test "$(q small-$f.db 'select count(*) from geoname')" = 200
done
check "compression is recorded" test "$(q small-xz.db "select value from _amber_meta where key='source.1.compression'")" = xz
head -c 3000 small.gz.bin >trunc.txt.gz
check_fails "truncated gzip: error names the file" 'trunc\.txt\.gz.*(truncated|corrupt)' "$AMBER" convert -q -f geonames trunc.txt.gz -o bad.db
printf 'garbage' | cat <(head -c 100 small.zst.bin) - >corrupt.zst
check_fails "corrupt zstd: error names the file" 'corrupt\.zst' "$AMBER" convert -q -f geonames corrupt.zst -o bad.db
check "no output after a failed conversion" test ! -e bad.db

# --- CSV (RFC 4180) and TSV ------------------------------------------------------------------
printf '\xef\xbb\xbfid,name,price,note\r\n1,"Widget, large",9.5,"says ""hi"""\r\n2,Gadget,10,"two\nlines"\r\n3,Thing,,plain\r\n' >products.csv
check "CSV with BOM, CRLF, quotes, embedded newline" "$AMBER" convert -q products.csv --pk id -o p.db
check "CSV: header names (BOM stripped) and inferred types" test \
	"$(q p.db "select group_concat(name||':'||type, ' ') from pragma_table_info('products')")" = "id:INTEGER name:TEXT price:REAL note:TEXT"
check "CSV: quoted values unescaped" test "$(q p.db "select name||'|'||note from products where id=1")" = 'Widget, large|says "hi"'
check "CSV: embedded newline kept" test "$(q p.db "select note from products where id=2")" = $'two\nlines'
check "CSV: empty numeric value is NULL" test "$(q p.db "select typeof(price) from products where id=3")" = null
check "CSV: --pk makes id the primary key" test "$(q p.db "select pk from pragma_table_info('products') where name='id'")" = 1

printf 'code\tqty\n007\t1\n010\t2\n' >codes.tsv
check "TSV: leading zeros keep a column TEXT" "$AMBER" convert -q codes.tsv -o c.db
check "TSV: '007' stays '007'" test "$(q c.db "select code||':'||typeof(code)||':'||typeof(qty) from codes limit 1")" = "007:text:integer"

printf '1;a\n2;b\n' | "$AMBER" convert -q -f csv -d ';' --no-header -t semi --index c2 - -o s.db
check "stdin, --no-header, --delimiter, --index" test "$(q s.db "select group_concat(c1||c2) from semi")" = "1a,2b"
check "stdin source recorded" test "$(q s.db "select value from _amber_meta where key='source.1.name'")" = stdin
check "--index creates the index" test "$(q s.db "select count(*) from sqlite_master where name='idx_semi_c2'")" = 1

printf 'a,b\n1,x\n' >s1.csv
printf 'a,b\n2,y\n' >s2.csv
check "two inputs make two tables" "$AMBER" convert -q s1.csv s2.csv -o two.db
check "two inputs: tables s1 and s2" test "$(q two.db "select (select b from s1)||(select b from s2)")" = xy
check "--schema sets types" "$AMBER" convert -q --schema 'a TEXT, b TEXT' s1.csv -o schema.db
check "--schema: a is TEXT" test "$(q schema.db "select typeof(a) from s1")" = text

# --- bad input: clear errors with file:line:column, exit 1, nothing left behind ----------------
mkdir bad && cd bad
printf 'a,b\n1,2\n3,4,5\n' >wide.csv
check_fails "too many fields: file:line:column" 'wide\.csv:3:5: expected 2 fields, found 3' "$AMBER" convert -q wide.csv -o x.db
printf 'a,b\n1,2\n3\n4,5\n' >narrow.csv
check_fails "too few fields: file:line" 'narrow\.csv:3:.*expected 2 fields, found 1' "$AMBER" convert -q narrow.csv -o x.db
"$AMBER" convert wide.csv narrow.csv --skip-bad-rows -o skip.db 2>skip.err
check "--skip-bad-rows reports how many were skipped" grep -q 'narrow.csv: skipped 1 bad row (first at line 3' skip.err
check "--skip-bad-rows keeps the good rows" test "$(q skip.db "select count(*) from wide")+$(q skip.db "select count(*) from narrow")" = "1+2"
rm skip.db
printf 'a,b\n1,caf\xe9\n' >latin1.csv
check_fails "invalid UTF-8: byte offset" 'latin1\.csv:2:6: invalid UTF-8 \(byte 0xe9 at byte offset 9 of the decompressed data' "$AMBER" convert -q latin1.csv -o x.db
: >empty.csv
check_fails "empty file" 'empty\.csv: empty file' "$AMBER" convert -q empty.csv -o x.db
printf 'n\tv\n1\t7\n2\t3.5\n' >typed.tsv
check_fails "value that does not fit a declared INTEGER" 'typed\.tsv:3:3: "3\.5" is not an INTEGER \(column v\)' "$AMBER" convert -q --schema 'n INTEGER, v INTEGER' typed.tsv -o x.db
printf '1\tx\n1\ty\n' >dup.tsv
check_fails "duplicate primary key names the line" 'dup\.tsv:2: duplicate primary key' "$AMBER" convert -q --no-header --pk c1 dup.tsv -o x.db
printf 'a,b\n"x"y,1\n' >quote.csv
check_fails "malformed CSV quote: line and column" 'quote\.csv:2:4: malformed CSV' "$AMBER" convert -q quote.csv -o x.db
check_fails "missing input names it" 'nope\.csv: cannot open' "$AMBER" convert -q nope.csv -o x.db
check_fails "unknown format from the name" 'data\.txt: cannot tell the format' "$AMBER" convert -q data.txt -o x.db
check_fails "same table twice" 'table "wide" would be loaded twice' "$AMBER" convert -q wide.csv wide.csv -o x.db
check "no database and no temporaries after all those failures" only_files . wide.csv narrow.csv latin1.csv empty.csv typed.tsv dup.tsv quote.csv skip.err
cd ..
"$AMBER" convert -q s1.csv -o exists.db
check_fails "existing output needs --force" 'exists\.db: already exists; use --force' "$AMBER" convert -q s2.csv -t s1 -o exists.db
check "--force replaces it" "$AMBER" convert -q --force s2.csv -t s1 -o exists.db
check "replaced content" test "$(q exists.db "select b from s1")" = y
check_fails "usage error exits 2 with a hint" "Try 'amber convert --help'" "$AMBER" convert s1.csv
check "--help exits 0" "$AMBER" convert --help
check_fails "--check takes full or quick" "--check takes full or quick" "$AMBER" convert --check slow s1.csv -o y.db

# --- interrupted: SIGINT in the middle leaves nothing ---------------------------------------
mkdir intr
for i in $(seq 1 40); do cat "$SAMPLE"; done | awk -F'\t' -v OFS='\t' '{$1 = NR; print}' >intr.txt
"$AMBER" convert -q -f geonames intr.txt -o intr/i.db &
pid=$!
sleep 0.3
kill -INT $pid 2>/dev/null
wait $pid
status=$?
check "SIGINT: exits non-zero" test $status -ne 0
check "SIGINT: no output and no temporaries" only_files intr

finish
