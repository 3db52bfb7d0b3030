# bench/convert.sh — section convert: GeoNames cities500 to SQLite against the sqlite3 CLI (sourced by scripts/bench.sh).


GEONAMES_COLUMNS='geonameid INTEGER PRIMARY KEY, name TEXT, asciiname TEXT, alternatenames TEXT,
  latitude REAL, longitude REAL, feature_class TEXT, feature_code TEXT, country_code TEXT,
  cc2 TEXT, admin1_code TEXT, admin2_code TEXT, admin3_code TEXT, admin4_code TEXT,
  population INTEGER, elevation INTEGER, dem INTEGER, timezone TEXT, modification_date TEXT'

# The sqlite3 CLI doing amber's work. `.mode tabs` would apply CSV quote rules (a field that
# begins with `"` swallows tabs and newlines up to the next quote); `.mode ascii` with tab and
# newline separators splits on the separators only, which is what GeoNames needs.
sqlite3_script() {
    cat <<EOF
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
CREATE TABLE geoname($GEONAMES_COLUMNS);
BEGIN;
.mode ascii
.separator "\t" "\n"
.import '$1' geoname
COMMIT;
CREATE INDEX geoname_name ON geoname(name);
CREATE INDEX geoname_asciiname ON geoname(asciiname);
CREATE INDEX geoname_country ON geoname(country_code);
CREATE INDEX geoname_country_admin1 ON geoname(country_code, admin1_code);
CREATE INDEX geoname_feature_code ON geoname(feature_code);
ANALYZE;
VACUUM;
EOF
}

# Prepare (untimed) build/bench/cities500{,x10}.txt{,.zst}; regenerated when the source changes.
convert_prepare() {
    local src=$1 d=$WORK/convert
    mkdir -p "$d"
    if [ ! -f "$d/cities500.txt" ] || [ "$src" -nt "$d/cities500.txt" ]; then
        note "preparing inputs in ${d#"$ROOT"/} (not timed)"
        rm -f "$d"/cities500*
        zstd -q -d -c "$src" >"$d/cities500.txt.tmp"
        awk -F'\t' '$1 + 0 >= 100000000 { bad = 1 } END { exit bad }' "$d/cities500.txt.tmp" ||
            die "a geonameid is >= 100000000; the 10x id scheme would collide"
        cp "$src" "$d/cities500.txt.zst.tmp"
        # 10x: copy k adds k*100000000 to geonameid, so every id stays unique.
        for k in 0 1 2 3 4 5 6 7 8 9; do
            awk -v k=$k 'BEGIN { FS = OFS = "\t" } { $1 = sprintf("%d", $1 + k * 100000000); print }' \
                "$d/cities500.txt.tmp"
        done >"$d/cities500x10.txt.tmp"
        zstd -q -T0 -c "$d/cities500x10.txt.tmp" >"$d/cities500x10.txt.zst.tmp"
        for f in cities500.txt cities500.txt.zst cities500x10.txt cities500x10.txt.zst; do
            mv "$d/$f.tmp" "$d/$f"
        done
    fi
}

# convert_scale TAG FILE ROUNDS : alternate sqlite3 / amber / amber(.zst) for ROUNDS rounds,
# rotating which goes first. Leaves times in $WORK/times/{sqlite3,amber,amberzst}-TAG.
convert_scale() {
    local tag=$1 in=$2 rounds=$3 d=$WORK/convert want r i k order
    want=$(wc -l <"$in")
    sqlite3_script "$in" >"$d/sqlite3-$tag.sql"
    rm -f "$WORK/times/"*"-$tag"
    order=(sqlite3 amber amberzst amberquick)
    for ((r = 1; r <= rounds; r++)); do
        note "convert $tag: round $r/$rounds"
        for ((i = 0; i < 4; i++)); do
            k=${order[(i + r - 1) % 4]}
            case $k in
            sqlite3)
                rm -f "$d/sqlite3-$tag.db"
                run_timed "sqlite3-$tag" sqlite3 -batch -bail "$d/sqlite3-$tag.db" <"$d/sqlite3-$tag.sql"
                ;;
            amber)
                run_timed "amber-$tag" "$AMBER" convert --format geonames --quiet "$in" \
                    -o "$d/amber-$tag.db" --force
                ;;
            amberquick)
                run_timed "amberquick-$tag" "$AMBER" convert --format geonames --quiet --check quick "$in" \
                    -o "$d/amberquick-$tag.db" --force
                ;;
            amberzst)
                run_timed "amberzst-$tag" "$AMBER" convert --format geonames --quiet "$in.zst" \
                    -o "$d/amberzst-$tag.db" --force
                ;;
            esac
            # Untimed check that the run loaded every line of the input.
            if [ "$r" = 1 ]; then
                local db=$d/$k-$tag.db got
                got=$(rows_of "$db")
                [ "$got" = "$want" ] || die "$k at $tag loaded $got rows, input has $want lines"
            fi
        done
    done
    rm -f "$d/sqlite3-$tag.db" "$d/amber-$tag.db" "$d/amberzst-$tag.db" "$d/amberquick-$tag.db"
}

bench_convert() {
    local src=${AMBER_GEONAMES:-$(dirname "$ROOT")/shared/data/geonames/cities500.txt.zst}
    if [ ! -f "$src" ]; then
        echo "bench convert: skipped: GeoNames data not found at $src (set AMBER_GEONAMES)."
        return 0
    fi
    [ -x "$AMBER" ] || die "$AMBER not found; run \`make bench\` (it builds bin/amber first)"
    command -v sqlite3 >/dev/null || die "sqlite3 CLI not found (apt-get install sqlite3)"
    command -v zstd >/dev/null || die "zstd not found (apt-get install zstd)"

    local d=$WORK/convert r1=${BENCH_ROUNDS:-5} r10=${BENCH_ROUNDS:-3}
    convert_prepare "$src"
    local rows1 rows10
    rows1=$(wc -l <"$d/cities500.txt")
    rows10=$(wc -l <"$d/cities500x10.txt")

    convert_scale 1x "$d/cities500.txt" "$r1"
    convert_scale 10x "$d/cities500x10.txt" "$r10"

    local body=$WORK/convert.md tag rows rounds s a z ak zk q
    {
        echo "## convert: GeoNames cities500 → SQLite"
        echo
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine); sqlite3 CLI $(sqlite3 --version | cut -d' ' -f1)," \
            "$("$AMBER" --version 2>/dev/null | head -n 1 || echo amber) built from this tree. Wall time is the median of N alternating runs" \
            "(min–max beside it); peak RSS is the maximum over those runs. Targets: amber/sqlite3 ≤ 0.75," \
            "amber peak RSS ≤ 64 MiB."
        echo
        echo "| input | rows | N | tool | median s | min–max s | amber/sqlite3 | peak RSS MiB |"
        echo "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |"
        for tag in 1x 10x; do
            if [ $tag = 1x ]; then rows=$rows1 rounds=$r1; else rows=$rows10 rounds=$r10; fi
            s=$(median "sqlite3-$tag")
            a=$(median "amber-$tag")
            z=$(median "amberzst-$tag")
            ak=$(peak_kib "amber-$tag")
            zk=$(peak_kib "amberzst-$tag")
            echo "| $tag .txt | $rows | $rounds | sqlite3 CLI | $s | $(spread "sqlite3-$tag") | 1.00 | $(mib "$(peak_kib "sqlite3-$tag")") |"
            echo "| $tag .txt | $rows | $rounds | amber convert | $a | $(spread "amber-$tag") | $(verdict_ratio "$a" "$s") | $(verdict_rss "$ak") |"
            echo "| $tag .txt.zst | $rows | $rounds | amber convert | $z | $(spread "amberzst-$tag") | $(verdict_ratio "$z" "$s") | $(verdict_rss "$zk") |"
            q=$(median "amberquick-$tag")
            echo "| $tag .txt | $rows | $rounds | amber convert --check quick | $q | $(spread "amberquick-$tag") | $(verdict_ratio "$q" "$s") | $(verdict_rss "$(peak_kib "amberquick-$tag")") |"
        done
        echo
        echo "Both sides build the same typed \`geoname\` table (\`geonameid INTEGER PRIMARY KEY\`," \
            "18 more columns), load it in one transaction with \`journal_mode=OFF\`, \`synchronous=OFF\`," \
            "create the same five indexes (name; asciiname; country_code; country_code, admin1_code;" \
            "feature_code), then ANALYZE and VACUUM. amber also runs \`PRAGMA integrity_check\` (with" \
            "\`--check quick\`: \`PRAGMA quick_check\`); the baseline runs no check. The 10× input is cities500 repeated ten times, copy k adding k·10⁸ to" \
            "geonameid. The .zst rows are amber reading the compressed file; their ratio is against the" \
            "baseline reading the decompressed file. Input preparation is not timed; every tool's row count" \
            "is checked against the input's line count."
        echo
        cat <<'EOF'
Baseline: `sqlite3 -batch -bail OUT.db < script`, importing with `.mode ascii` +
`.separator "\t" "\n"` + `.import FILE geoname`. `.mode tabs` is not used: it applies CSV
quote rules, so a field that *begins* with `"` swallows the following tabs and lines up to
the next quote. (cities500 has a single `"`, in the middle of one name, which `.mode tabs`
happens to pass through; the row count is the same either way, but a file with a leading
quote would be misread.) The CLI stores an empty elevation as `''` (TEXT) rather than NULL;
that does not matter for the timing.
EOF
    } >"$body"
    cat "$body"
    doc_section convert "$body"
    note "convert: written to ${DOC#"$ROOT"/}"
}

