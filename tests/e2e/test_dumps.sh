#!/usr/bin/env bash
# test_dumps.sh — `amber convert` of SQL dumps made by the real tools (tests/fixtures/sql,
# made by scripts/make-fixtures.sh): every table of every fixture must have the source
# server's row count and the same checksum for every row (tests/tools/rowsum); flag sets and
# dump pairs, --databases with and without --database, skipped-statement summaries, --strict,
# compressed and stdin inputs, and dumps broken in the ways real ones break (truncated,
# binary, invalid UTF-8, an unterminated string): a clear error with file:line:column and
# nothing left behind.
. "$(dirname "$0")/lib.sh"
FIX=$ROOT/tests/fixtures/sql
ROWSUM=${ROWSUM:-$ROOT/build/rel/tests/tools/rowsum}
if [ ! -x "$ROWSUM" ]; then
	make -C "$ROOT" --no-print-directory -s build/rel/tests/tools/rowsum >/dev/null 2>&1 ||
		{ echo "not ok - build tests/tools/rowsum"; echo "0 passed, 1 failed"; exit 1; }
fi
cd "$WORK" || exit 1
mkdir out exp

# The stored name of a fixture (plain or .zst).
fx() { if [ -f "$FIX/$1" ]; then echo "$FIX/$1"; else echo "$FIX/$1.zst"; fi; }
# A fixture decompressed into the work directory (for the tests that edit or re-compress it).
plain() { [ -f "$WORK/$1" ] || zstd -dcq "$(fx "$1")" >"$WORK/$1" 2>/dev/null || cp "$FIX/$1" "$WORK/$1"; echo "$WORK/$1"; }

# nothing_left NAME: checks that out/ is empty, then empties it so one failure does not
# make every later check fail too.
nothing_left() {
	check "$1: nothing left in the output directory" only_files out
	rm -rf out/* out/.[!.]*
}

# --- the checker itself: equal values in different spellings sum equal, others do not -----------
not() { ! "$@"; }
same_sum() { [ "$(printf '%s\n' "$2" | "$ROWSUM" "$1")" = "$(printf '%s\n' "$3" | "$ROWSUM" "$1")" ]; }
check "rowsum i: 007 and +7 are 7" same_sum i 007 +7
check "rowsum x: 1.50 and 1.5, and a REAL's bits, are one value" same_sum xx $'1.50\t1.5' $'1.5\t0x3FF8000000000000'
check "rowsum x: 17 digits are compared exactly" not same_sum x 12345678901234567 12345678901234568
check "rowsum x: a long number and its 15-digit REAL differ" not same_sum x 1234567890123456789 0x43B12210F47DE981
check "rowsum f: '1.1' is the double SQLite stores" same_sum f 1.1 0x3FF199999999999A
check "rowsum f: the last bit of a double counts" not same_sum f 0.30000000000000004 0.3
check "rowsum f: NaN is NULL, Infinity is inf" same_sum ff $'NaN\tInfinity' $'\\N\t0x7FF0000000000000'
check "rowsum t: hex case does not matter, NULL is not empty" same_sum tt $'abcd\t\\N' $'ABCD\t\\N'
check "rowsum t: NULL and the empty string differ" not same_sum t '\N' ''
check_fails "rowsum: a value that is not of its class is reported" 'not an integer' "$ROWSUM" i <<<'1.5'

# --- expectations ------------------------------------------------------------------------------
# Splits an .expect file into exp/NAME/: tables (list), and per table T: T.cols ("name class
# [expr]" lines), T.rows, T.sums; views ("name rows" lines).
split_expect() {
	local name=$1 dir=exp/$1
	mkdir -p "$dir"
	awk -v dir="$dir" '
		/^table / { t = $2; print t > (dir "/tables"); next }
		/^column / { sub(/^column /, ""); print > (dir "/" t ".cols"); next }
		/^rows / { print $2 > (dir "/" t ".rows"); printf "" > (dir "/" t ".sums"); next }
		/^sum / { print $2 > (dir "/" t ".sums"); next }
		/^view / { print $2, $4 > (dir "/views"); next }
	' "$FIX/$name.expect"
	touch "$dir/views"
}
for e in catalog billing pgcatalog sqlite mlcatalog; do
	if [ -f "$FIX/$e.expect" ]; then split_expect $e; else not_ok "expectations $e.expect are there"; fi
done

# The SQLite-side select of one column: what rowsum's class expects, and a '?' mark when the
# storage class is wrong (rowsum then reports the field and the row cannot match).
sqlite_expr() { # NAME CLASS [EXPR]
	local c="\"$1\""
	case $2 in
	i) echo "CASE typeof($c) WHEN 'integer' THEN $c WHEN 'null' THEN NULL ELSE '?' || typeof($c) END" ;;
	x) echo "CASE typeof($c) WHEN 'integer' THEN $c WHEN 'text' THEN $c WHEN 'real' THEN '0x' || hex(ieee754_to_blob($c)) WHEN 'null' THEN NULL ELSE '?' || typeof($c) END" ;;
	f) echo "CASE typeof($c) WHEN 'real' THEN '0x' || hex(ieee754_to_blob($c)) WHEN 'null' THEN NULL ELSE '?' || typeof($c) END" ;;
	t) echo "CASE typeof($c) WHEN 'text' THEN hex($c) WHEN 'null' THEN NULL ELSE '?' || typeof($c) END" ;;
	b) echo "CASE typeof($c) WHEN 'blob' THEN hex($c) WHEN 'null' THEN NULL ELSE '?' || typeof($c) END" ;;
	h) echo "CASE WHEN $c IS NULL THEN NULL ELSE hex($c) END" ;;
	v) shift 2; echo "$*" ;;
	esac
}

# Compares table T of DB with exp/E/T; prints what differs.
compare_table() { # DB E T
	local db=$1 e=$2 t=$3 classes="" exprs="" name cls rest got want
	while read -r name cls rest; do
		classes+=$cls
		exprs+="${exprs:+, }$(sqlite_expr "$name" "$cls" $rest)"
	done <"exp/$e/$t.cols"
	sqlite3 -batch -separator $'\t' -nullvalue '\N' "file:$db?immutable=1" "SELECT $exprs FROM \"$t\"" \
		>"$WORK/.rows" 2>"$WORK/.sqlerr" || { echo "select failed: $(head -c 300 "$WORK/.sqlerr")"; return 1; }
	"$ROWSUM" "$classes" <"$WORK/.rows" >"$WORK/.got" 2>"$WORK/.sumerr" ||
		{ echo "rows do not fit their classes: $(head -3 "$WORK/.sumerr" | tr '\n' ' ')"; return 1; }
	got=$(wc -l <"$WORK/.got")
	want=$(cat "exp/$e/$t.rows")
	[ "$got" -eq "$want" ] || { echo "$got rows, the source has $want"; return 1; }
	cmp -s "$WORK/.got" "exp/$e/$t.sums" ||
		{ echo "$(comm -23 "exp/$e/$t.sums" "$WORK/.got" | wc -l) of $want rows differ from the source (see the source's rows with scripts/make-fixtures.sh --canonical DIR)"; return 1; }
}

# The user tables of DB (not SQLite's or amber's own, except those the source itself had).
db_tables() {
	sqlite3 "file:$1?immutable=1" "SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE '\_amber%' ESCAPE '\' AND (name NOT LIKE 'sqlite\_%' ESCAPE '\' OR name = 'sqlite_sequence') ORDER BY name"
}

# Views of the MySQL and SQLite sources whose SELECT SQLite runs as it is (after MySQL's
# backticks): they must be translated. The others may be skipped with a warning.
PORTABLE_VIEWS=" model_endpoints unpaid model_names "

# Every check of one converted database against expectation E: the set of tables, each
# table's rows, and each view (translated with the source's row count, or reported as skipped
# on stderr in LOG).
check_against() { # LABEL DB E LOG
	local label=$1 db=$2 e=$3 log=$4 t msg v n
	if [ ! -f "$db" ]; then
		not_ok "$label: converted" "$(head -c 600 "$log")"
		return
	fi
	local want have
	want=$(sort "exp/$e/tables" | grep -v '^sqlite_sequence$' | tr '\n' ' ')
	have=$(db_tables "$db" | grep -v '^sqlite_sequence$' | tr '\n' ' ')
	if [ "$want" = "$have" ]; then ok "$label: the source's tables"; else not_ok "$label: the source's tables" "want: $want; have: $have"; fi
	while read -r t; do
		if msg=$(compare_table "$db" "$e" "$t"); then
			ok "$label: $t: $(cat "exp/$e/$t.rows") rows, every checksum equal"
		else
			not_ok "$label: $t: rows equal the source's" "$msg"
		fi
	done <"exp/$e/tables"
	while read -r v n; do
		if sqlite3 "file:$db?immutable=1" "SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = '$v'" | grep -q 1; then
			check "$label: view $v has the source's $n rows" test "$(sqlite3 "file:$db?immutable=1" "SELECT count(*) FROM \"$v\"")" = "$n"
		elif [ "$e" != pgcatalog ] && [[ $PORTABLE_VIEWS == *" $v "* ]]; then
			not_ok "$label: view $v, whose SELECT SQLite can run, is translated"
		else
			check "$label: view $v not translated is reported" grep -Eq "$v|[0-9]+ views?" "$log"
		fi
	done <"exp/$e/views"
}

# convert LABEL E [OPTIONS/INPUTS...]: converts to out/LABEL.db, checks against E, removes it.
convert_and_check() {
	local label=$1 e=$2
	shift 2
	"$AMBER" convert "$@" -o "out/$label.db" >"$WORK/$label.log" 2>&1
	check_against "$label" "out/$label.db" "$e" "$WORK/$label.log"
	rm -f "out/$label.db"
}

# --- every fixture against its source ----------------------------------------------------------
for f in mysql-default mysql-skip-extended mysql-complete-insert mysql-hex-blob mysql-compact mysql-replace; do
	convert_and_check "$f" catalog "$(fx $f.sql)"
done
convert_and_check mysql-pair catalog "$(fx mysql-schema.sql)" "$(fx mysql-data.sql)"
convert_and_check mysql-databases-catalog catalog --database catalog "$(fx mysql-databases.sql)"
convert_and_check mysql-databases-billing billing --database billing "$(fx mysql-databases.sql)"
for f in pg-default pg-inserts pg-column-inserts pg-dumpall; do
	convert_and_check "$f" pgcatalog "$(fx $f.sql)"
done
convert_and_check pg-pair pgcatalog "$(fx pg-schema.sql)" "$(fx pg-data.sql)"
convert_and_check sqlite sqlite "$(fx sqlite.sql)"
convert_and_check sqlite-format-given sqlite --format sqlite "$(fx sqlite.sql)"
nothing_left "all fixtures"

# --- the catalog sample (samples/catalog) and its canned queries -------------------------------
SAMPLE=$ROOT/samples/catalog
"$AMBER" convert "$SAMPLE/catalog.sql" -o out/catalog.db >catalog.log 2>&1
check_against sample-catalog out/catalog.db mlcatalog catalog.log
# query NAME :param 'value'...: runs canned query NAME of queries.sql with its parameters bound
# as text, as the server binds them.
query() {
	local name=$1 sql cmds=()
	shift
	sql=$(awk -v n="$name" '/^-- name: / { on = ($3 == n); next } on && !/^--/ { print } on && /;[[:space:]]*$/ { exit }' "$SAMPLE/queries.sql")
	while [ $# -ge 2 ]; do
		cmds+=(-cmd ".param set $1 '$2'")
		shift 2
	done
	sqlite3 -batch -bail "${cmds[@]}" "file:out/catalog.db?immutable=1" "$sql"
}
check "sample: models_by_provider(lumen-labs) lists its 2 models, newest first" \
	test "$(query models_by_provider :provider lumen-labs | cut -d'|' -f2 | tr '\n' ' ')" = "lumen-vision lumen-7b "
check "sample: search(lu) finds the 2 lumen models" test "$(query search :prefix lu | wc -l)" = 2
check "sample: cheapest_endpoints(USD, 1m_tokens) gives 20 rows, cheapest first" \
	test "$(query cheapest_endpoints :currency USD :unit 1m_tokens | awk -F'|' 'NR == 1 { p = $5 } $5 < p { bad = 1 } { p = $5; n++ } END { print n, bad + 0 }')" = "20 0"
check "sample: models_with_tag(chat) finds 3 models" test "$(query models_with_tag :tag chat | wc -l)" = 3
rm -f out/catalog.db

# --- what is skipped, and --strict ------------------------------------------------------------
"$AMBER" convert "$(fx mysql-default.sql)" -o out/s.db >/dev/null 2>skip.err
check "mysqldump: triggers are skipped and counted" grep -Eq 'skipped .*[0-9]+ triggers?' skip.err
rm -f out/s.db
"$AMBER" convert "$(fx mysql-skip-extended.sql)" -o out/s.db >/dev/null 2>skip.err
check "mysqldump --routines: procedures counted in the summary" grep -Eq 'skipped .*[0-9]+ procedures?' skip.err
check "mysqldump --routines: functions counted in the summary" grep -Eq 'skipped .*[0-9]+ functions?' skip.err
rm -f out/s.db
"$AMBER" convert "$(fx pg-default.sql)" -o out/s.db >/dev/null 2>skip.err
check "pg_dump: functions and triggers counted in the summary" grep -Eq 'skipped .*[0-9]+ (functions?|triggers?)' skip.err
rm -f out/s.db
check_fails "--strict: the first skipped statement is an error with its place" 'mysql-default\.sql\.zst:[0-9]+:[0-9]+.*strict' \
	"$AMBER" convert --strict "$(fx mysql-default.sql)" -o out/s.db
nothing_left "--strict"
check_fails "--strict (pg_dump): the first skipped statement is an error with its place" 'pg-default\.sql\.zst:[0-9]+:[0-9]+.*strict' \
	"$AMBER" convert --strict "$(fx pg-default.sql)" -o out/s.db
nothing_left "--strict (pg_dump)"

# --- several databases in one mysqldump ----------------------------------------------------------
check_fails "--databases without --database: a table name in both is an error" 'tags.*(twice|already|clash|both|exists)|(twice|already|clash|both|exists).*tags' \
	"$AMBER" convert "$(fx mysql-databases.sql)" -o out/both.db
nothing_left "--databases clash"
check_fails "--database NAME that the dump does not have is an error" 'nosuchdb' \
	"$AMBER" convert --database nosuchdb "$(fx mysql-databases.sql)" -o out/none.db
nothing_left "--database unknown"

# --- compression and stdin ----------------------------------------------------------------------
gzip -c "$(plain mysql-default.sql)" >mysql-default.sql.gz
convert_and_check mysql-gzip catalog mysql-default.sql.gz
zstd -qc "$(plain pg-default.sql)" >pg-default.sql.zst
convert_and_check pg-zstd pgcatalog pg-default.sql.zst
"$AMBER" convert - -o out/stdin.db --format mysql <"$(plain mysql-skip-extended.sql)" >stdin.log 2>&1
check_against mysql-stdin out/stdin.db catalog stdin.log
rm -f out/stdin.db
zstd -dcq "$(fx pg-inserts.sql)" | "$AMBER" convert - -o out/stdin.db --format postgres >stdin.log 2>&1
check_against pg-stdin out/stdin.db pgcatalog stdin.log
rm -f out/stdin.db
nothing_left "compressed and stdin"

# --- broken dumps ---------------------------------------------------------------------------------
# Each must fail, name the file with line and column, and leave nothing in out/.
PLACE='[0-9]+:[0-9]+'
bad() { # NAME FILE PATTERN [OPTIONS...]
	local name=$1 file=$2 pattern=$3
	shift 3
	check_fails "$name: an error naming $(basename "$file"):line:column" "$(basename "$file"):$PLACE.*($pattern)|($pattern).*$(basename "$file"):$PLACE" \
		"$AMBER" convert "$@" "$file" -o out/bad.db
	nothing_left "$name"
}
# cut_after FILE NEEDLE OFFSET OUT: OUT is FILE up to OFFSET bytes after the start of the
# first NEEDLE (OFFSET = the needle's length cuts right after it).
cut_after() {
	local at
	at=$(grep -boaF -m1 -- "$2" "$1" | head -1 | cut -d: -f1)
	[ -n "$at" ] || { echo "cut_after: '$2' not in $1" >&2; : >"$4"; return; }
	head -c $((at + $3)) "$1" >"$4"
}
TRUNC='truncated|unterminated|ends inside|end of (file|input)|EOF'
cut_after "$(plain mysql-default.sql)" "(2657886,'Zwingen'," 19 trunc-tuple.sql
bad "mysqldump cut inside an INSERT tuple" trunc-tuple.sql "$TRUNC"
cut_after "$(plain mysql-default.sql)" "'the 1 MiB card','line 1:" 5000 trunc-string.sql
bad "mysqldump cut inside a string" trunc-string.sql "$TRUNC"
cut_after "$(plain mysql-default.sql)" 'CREATE TABLE `models`' 120 trunc-create.sql
bad "mysqldump cut inside CREATE TABLE" trunc-create.sql "$TRUNC"
cut_after "$(plain pg-default.sql)" 'COPY public.geoname' 20000 trunc-copy.sql
bad "pg_dump cut inside a COPY block" trunc-copy.sql "$TRUNC"
cut_after "$(plain pg-schema.sql)" 'CREATE TABLE public.models' 80 trunc-pgcreate.sql
bad "pg_dump cut inside CREATE TABLE" trunc-pgcreate.sql "$TRUNC"
cut_after "$(plain pg-inserts.sql)" 'INSERT INTO public.numbers VALUES (1, -32768,' 45 trunc-pginsert.sql
bad "pg_dump --inserts cut inside an INSERT" trunc-pginsert.sql "$TRUNC"

# Binary garbage: the body of a zstd frame (no magic number), as a MySQL dump.
tail -c +64 "$(fx mysql-default.sql)" | head -c 65536 >garbage.sql
bad "binary garbage as --format mysql" garbage.sql '.' --format mysql
check_fails "binary garbage, format detected: an error" 'garbage\.sql' "$AMBER" convert garbage.sql -o out/bad.db
nothing_left "binary garbage, detected"

# An unterminated string at the end of a real dump.
{ cat "$(plain mysql-compact.sql)"; printf "INSERT INTO \`tags\` VALUES (9,'never closed);\n"; } >unterminated.sql
bad "mysqldump with an unterminated string" unterminated.sql 'unterminated'

# Invalid UTF-8 in a TEXT value (0xff cannot start a UTF-8 sequence).
LC_ALL=C sed 's/Northwind AI/Northwind \xff/' "$(plain mysql-skip-extended.sql)" >badutf8.sql
bad "mysqldump with invalid UTF-8 in a TEXT value" badutf8.sql 'UTF-8'
LC_ALL=C sed 's/Lumen Labs/Lumen \xc3(/' "$(plain pg-default.sql)" >badutf8-pg.sql
bad "pg_dump COPY with invalid UTF-8 in a text value" badutf8-pg.sql 'UTF-8'
q1() { sqlite3 "file:$1?immutable=1" "$2"; }
check "--invalid-utf8=blob converts" "$AMBER" convert --invalid-utf8=blob badutf8.sql -o out/blob.db
check "--invalid-utf8=blob: the value is kept as a BLOB, byte for byte" test \
	"$(q1 out/blob.db "SELECT typeof(name) || ' ' || hex(name) FROM providers WHERE id = 1")" = "blob $(printf 'Northwind \xff' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
check "--invalid-utf8=blob: the other rows are untouched" test "$(q1 out/blob.db "SELECT count(*) FROM providers WHERE typeof(name) = 'text'")" = 5
check "--invalid-utf8=replace converts" "$AMBER" convert --invalid-utf8=replace badutf8.sql -o out/replace.db
check "--invalid-utf8=replace: U+FFFD stands for the bad byte" test \
	"$(q1 out/replace.db "SELECT typeof(name) || ' ' || hex(name) FROM providers WHERE id = 1")" = "text $(printf 'Northwind \xef\xbf\xbd' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
rm -f out/blob.db out/replace.db
nothing_left "at the end"

finish
