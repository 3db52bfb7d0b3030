# bench/dumps.sh — section dumps: SQL dumps of cities500 converted by amber, against the issue-1
# floor (the sqlite3 CLI importing the same rows from TSV with the same indexes), the stock
# route (`sqlite3 new.db < dump` of sqlite3's own .dump) and restoring the mysqldump into
# MariaDB, all in one run. The dumps are made (untimed, cached in build/bench/dumps/) by real
# servers that scripts/sqlservers.sh starts on 127.0.0.1 and stops by PID. (sourced by
# scripts/bench.sh)

# The GeoNames table in each server, with the five indexes of amber's GeoNames preset.
DUMPS_MARIADB_TABLE="CREATE TABLE geoname (geonameid INT NOT NULL PRIMARY KEY, name VARCHAR(200),
  asciiname VARCHAR(200), alternatenames TEXT, latitude DOUBLE, longitude DOUBLE, feature_class CHAR(1),
  feature_code VARCHAR(10), country_code CHAR(2), cc2 VARCHAR(200), admin1_code VARCHAR(20),
  admin2_code VARCHAR(80), admin3_code VARCHAR(20), admin4_code VARCHAR(20), population BIGINT,
  elevation INT, dem INT, timezone VARCHAR(40), modification_date DATE,
  KEY geoname_name (name), KEY geoname_asciiname (asciiname), KEY geoname_country (country_code),
  KEY geoname_country_admin1 (country_code, admin1_code), KEY geoname_feature_code (feature_code))
  ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
DUMPS_PG_TABLE="CREATE TABLE geoname (geonameid integer PRIMARY KEY, name text, asciiname text,
  alternatenames text, latitude double precision, longitude double precision, feature_class text,
  feature_code text, country_code text, cc2 text, admin1_code text, admin2_code text, admin3_code text,
  admin4_code text, population bigint, elevation integer, dem integer, timezone text, modification_date date);
  CREATE INDEX geoname_name ON geoname (name); CREATE INDEX geoname_asciiname ON geoname (asciiname);
  CREATE INDEX geoname_country ON geoname (country_code);
  CREATE INDEX geoname_country_admin1 ON geoname (country_code, admin1_code);
  CREATE INDEX geoname_feature_code ON geoname (feature_code);"

dumps_mdb() { mariadb --no-defaults --socket="$WORK/dumps/servers/mariadb/mysqld.sock" -uroot "$@"; }
dumps_pg() {
    PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 -h "$WORK/dumps/servers/postgres" -p "$(cat "$WORK/dumps/servers/postgres.port")" \
        -U postgres "$@"
}
dumps_stop_servers() { "$ROOT/scripts/sqlservers.sh" stop "$WORK/dumps/servers" >/dev/null 2>&1 || true; }

# dumps_make TAG TSV : loads TSV into both servers (database geo_TAG) and dumps it with
# mysqldump (extended inserts, the default) and pg_dump (COPY, the default).
dumps_make() {
    local tag=$1 tsv=$2 d=$WORK/dumps
    note "dumps: loading $tag into MariaDB and PostgreSQL and dumping it (not timed)"
    dumps_mdb -e "DROP DATABASE IF EXISTS geo_$tag; CREATE DATABASE geo_$tag"
    dumps_mdb "geo_$tag" -e "$DUMPS_MARIADB_TABLE"
    dumps_mdb --local-infile=1 "geo_$tag" -e "LOAD DATA LOCAL INFILE '$tsv' INTO TABLE geoname
        CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\t' ESCAPED BY '' LINES TERMINATED BY '\n'
        (geonameid, name, asciiname, alternatenames, latitude, longitude, feature_class, feature_code,
         country_code, cc2, admin1_code, admin2_code, admin3_code, admin4_code, population, @elevation, dem,
         timezone, modification_date) SET elevation = NULLIF(@elevation, '')"
    mariadb-dump --no-defaults --socket="$d/servers/mariadb/mysqld.sock" -uroot --skip-dump-date "geo_$tag" \
        >"$d/cities500-$tag.mysql.sql.tmp"
    mv "$d/cities500-$tag.mysql.sql.tmp" "$d/cities500-$tag.mysql.sql"
    dumps_pg -c "DROP DATABASE IF EXISTS geo_$tag" -c "CREATE DATABASE geo_$tag"
    dumps_pg -d "geo_$tag" -c "$DUMPS_PG_TABLE"
    dumps_pg -d "geo_$tag" -c "\\copy geoname FROM '$tsv' WITH (FORMAT csv, DELIMITER E'\\t', QUOTE E'\\x01', NULL '')"
    pg_dump -h "$d/servers/postgres" -p "$(cat "$d/servers/postgres.port")" -U postgres "geo_$tag" \
        >"$d/cities500-$tag.pg.sql.tmp"
    mv "$d/cities500-$tag.pg.sql.tmp" "$d/cities500-$tag.pg.sql"
}

# dumps_prepare : the dumps at 1x and 10x and sqlite3's own .dump at 1x, made once.
dumps_prepare() {
    local d=$WORK/dumps tag
    mkdir -p "$d"
    if [ ! -f "$d/cities500-1x.sqlite.sql" ] || [ "$WORK/convert/cities500.txt" -nt "$d/cities500-1x.sqlite.sql" ]; then
        rm -f "$d"/cities500-*
        sqlite3_script "$WORK/convert/cities500.txt" >"$d/floor.sql"
        rm -f "$d/floor.db"
        sqlite3 -batch -bail "$d/floor.db" <"$d/floor.sql" >/dev/null
        sqlite3 "$d/floor.db" .dump >"$d/cities500-1x.sqlite.sql.tmp"
        mv "$d/cities500-1x.sqlite.sql.tmp" "$d/cities500-1x.sqlite.sql"
    fi
    for tag in 1x 10x; do
        [ -f "$d/cities500-$tag.pg.sql" ] && continue
        if [ ! -d "$d/servers" ] || [ ! -f "$d/servers/mariadb.pid" ]; then
            "$ROOT/scripts/sqlservers.sh" install
            "$ROOT/scripts/sqlservers.sh" start-mariadb "$d/servers" 2>/dev/null
            "$ROOT/scripts/sqlservers.sh" start-postgres "$d/servers" 2>/dev/null
        fi
        if [ $tag = 1x ]; then dumps_make $tag "$WORK/convert/cities500.txt"; else dumps_make $tag "$WORK/convert/cities500x10.txt"; fi
    done
}

# dumps_rounds TAG ROUNDS KIND... : alternate the KINDs for ROUNDS rounds, rotating which goes
# first; checks every output's row count in the first round.
dumps_rounds() {
    local tag=$1 rounds=$2 d=$WORK/dumps r i k want db
    shift 2
    local kinds=("$@") n=$#
    want=$(wc -l <"$WORK/convert/cities500$([ "$tag" = 10x ] && echo x10).txt")
    sqlite3_script "$WORK/convert/cities500$([ "$tag" = 10x ] && echo x10).txt" >"$d/floor-$tag.sql"
    for ((r = 1; r <= rounds; r++)); do
        note "dumps $tag: round $r/$rounds"
        for ((i = 0; i < n; i++)); do
            k=${kinds[(i + r - 1) % n]}
            db=$d/out-$k-$tag.db
            rm -f "$db"
            case $k in
            floor) run_timed "dumps-$k-$tag" sqlite3 -batch -bail "$db" <"$d/floor-$tag.sql" ;;
            mysql | pg | sqlite)
                run_timed "dumps-$k-$tag" "$AMBER" convert --quiet "$d/cities500-$tag.$k.sql" -o "$db" ;;
            mysqlq | pgq)
                run_timed "dumps-$k-$tag" "$AMBER" convert --quiet --check quick "$d/cities500-$tag.${k%q}.sql" -o "$db" ;;
            stock) run_timed "dumps-$k-$tag" sqlite3 -batch -bail "$db" <"$d/cities500-$tag.sqlite.sql" ;;
            mariadb)
                dumps_mdb -e "DROP DATABASE IF EXISTS restore_$tag; CREATE DATABASE restore_$tag"
                run_timed "dumps-$k-$tag" mariadb --no-defaults --socket="$d/servers/mariadb/mysqld.sock" -uroot \
                    "restore_$tag" <"$d/cities500-$tag.mysql.sql"
                ;;
            esac
            if [ "$r" = 1 ]; then
                local got
                if [ $k = mariadb ]; then
                    got=$(dumps_mdb -N "restore_$tag" -e "SELECT count(*) FROM geoname")
                else
                    got=$(rows_of "$db")
                fi
                [ "$got" = "$want" ] || die "dumps: $k at $tag loaded $got rows, the input has $want"
            fi
            rm -f "$db"
        done
    done
}

bench_dumps() {
    local src=${AMBER_GEONAMES:-$(dirname "$ROOT")/shared/data/geonames/cities500.txt.zst}
    if [ ! -f "$src" ]; then
        echo "bench dumps: skipped: GeoNames data not found at $src (set AMBER_GEONAMES)."
        return 0
    fi
    for t in sqlite3 zstd; do command -v $t >/dev/null || die "$t not found (scripts/deps.sh installs it)"; done
    local d=$WORK/dumps r1=${BENCH_ROUNDS:-5} r10=${BENCH_ROUNDS:-3}
    convert_prepare "$src"
    trap dumps_stop_servers EXIT
    dumps_prepare
    if [ ! -f "$d/servers/mariadb.pid" ]; then
        "$ROOT/scripts/sqlservers.sh" start-mariadb "$d/servers" 2>/dev/null
    fi
    rm -f "$WORK/times/"dumps-*
    dumps_rounds 1x "$r1" floor mysql pg sqlite mysqlq pgq stock mariadb
    dumps_rounds 10x "$r10" floor mysql pg mysqlq
    dumps_stop_servers
    trap - EXIT

    local body=$WORK/dumps.md f1 f10 row
    f1=$(median dumps-floor-1x) f10=$(median dumps-floor-10x)
    # row TAG KIND DESCRIPTION TARGET(0: none)
    row() {
        local m q v=""
        m=$(median "dumps-$2-$1")
        q=$(ratio "$m" "$([ "$1" = 1x ] && echo "$f1" || echo "$f10")")
        if [ "$4" != 0 ]; then if le "$q" "$4"; then v=" ✓"; else v=" ✗"; fi; fi
        echo "| $1 | $3 | $(wc -l <"$WORK/times/dumps-$2-$1") | $m | $(spread "dumps-$2-$1") | **$q**$v | $(mib "$(peak_kib "dumps-$2-$1")") |"
    }
    {
        echo "## dumps: SQL dumps of cities500 → SQLite"
        echo
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine); $(mariadb-dump --version | sed 's/^.*Ver/mariadb-dump/;s/,.*//')," \
            "$(pg_dump --version), sqlite3 CLI $(sqlite3 --version | cut -d' ' -f1). Wall time is the median of N" \
            "alternating runs (min–max beside it); peak RSS the maximum over them (for the MariaDB restore, the" \
            "client's only). Target: amber ≤ 1.0× the floor; amber's peak RSS ≤ 64 MiB at 1× and 10×."
        echo
        echo "| scale | what | N | median s | min–max s | ÷ floor | peak RSS MiB |"
        echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
        row 1x floor "floor: sqlite3 CLI importing the TSV (\`.import\`), same table and indexes" 0
        row 1x mysql "\`amber convert\` of the mysqldump ($(du -m "$d/cities500-1x.mysql.sql" | cut -f1) MB, extended INSERTs)" 1.0
        row 1x pg "\`amber convert\` of the pg_dump ($(du -m "$d/cities500-1x.pg.sql" | cut -f1) MB, COPY)" 1.0
        row 1x sqlite "\`amber convert\` of sqlite3's .dump ($(du -m "$d/cities500-1x.sqlite.sql" | cut -f1) MB, one INSERT per row)" 1.0
        row 1x mysqlq "the mysqldump with \`--check quick\` (quick_check instead of integrity_check)" 1.0
        row 1x pgq "the pg_dump with \`--check quick\`" 1.0
        row 1x stock "stock route: \`sqlite3 new.db < dump\` (the same .dump)" 0
        row 1x mariadb "restoring the mysqldump into MariaDB (\`mariadb db < dump\`, InnoDB)" 0
        row 10x floor "floor at 10×" 0
        row 10x mysql "\`amber convert\` of the mysqldump at 10×" 1.0
        row 10x pg "\`amber convert\` of the pg_dump at 10×" 1.0
        row 10x mysqlq "the mysqldump at 10× with \`--check quick\`" 1.0
        echo
        echo "Every amber run ends with \`PRAGMA integrity_check\` (its default; \`--check quick\` is cheaper) and" \
            "ANALYZE and VACUUM as the floor does. The floor and the stock route run no check. The dumps were" \
            "made by real servers (scripts/sqlservers.sh: MariaDB and PostgreSQL on 127.0.0.1) from the same" \
            "cities500 rows with the same five indexes, by \`mariadb-dump --skip-dump-date\` and \`pg_dump\`" \
            "with their default flags; the 10× input repeats the rows with new ids. Every output's row count is" \
            "checked against the input."
    } >"$body"
    cat "$body"
    doc_section dumps "$body"
    note "dumps: written to ${DOC#"$ROOT"/}"
}
