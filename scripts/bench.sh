#!/usr/bin/env bash
# Benchmarks against baselines. `make bench` builds bin/amber and bin/amberd, then runs this.
#
#   scripts/bench.sh [SECTION...]     run the named sections (default: all of BENCH_SECTIONS)
#
# Each section is a function bench_<name> that prints a markdown table to stdout and
# replaces its own block in docs/benchmarks.md, between <!-- bench:NAME --> and
# <!-- /bench:NAME -->. To add a benchmark, write bench_<name> and append <name> to
# BENCH_SECTIONS.
#
# Environment:
#   AMBER_GEONAMES  path of cities500.txt.zst (default ../shared/data/geonames/ beside the repo)
#   BENCH_ROUNDS    rounds per scale (default 5 at 1x, 3 at 10x)
#   AMBER           the amber binary to time (default bin/amber)
#   AMBERD          the server to load (default bin/amberd)
#   BENCH_SECONDS   length of each wrk run in the server section (default 10)
#
# Inputs are prepared (untimed) in build/bench/. Tools run alternately, round by round; we
# report the median wall time of each and its peak RSS (GNU time %M, the maximum over runs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$ROOT/build/bench
DOC=$ROOT/docs/benchmarks.md
AMBER=${AMBER:-$ROOT/bin/amber}
GNU_TIME=/usr/bin/time

BENCH_SECTIONS=(convert build server)

die() {
    echo "bench: $*" >&2
    exit 1
}
note() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- measuring

# run_timed LABEL CMD... : run CMD (stdin inherited, stdout/stderr kept in $WORK/last.*),
# append "wall_seconds rss_kib" to $WORK/times/LABEL. A failing run aborts the benchmark.
run_timed() {
    local label=$1 t0 t1 rss
    shift
    t0=$(date +%s.%N)
    if ! "$GNU_TIME" -f %M -o "$WORK/last.rss" "$@" >"$WORK/last.out" 2>"$WORK/last.err"; then
        echo "bench: FAILED: $*" >&2
        tail -n 20 "$WORK/last.err" >&2
        exit 1
    fi
    t1=$(date +%s.%N)
    rss=$(tail -n 1 "$WORK/last.rss")
    awk -v a="$t0" -v b="$t1" -v r="$rss" 'BEGIN { printf "%.3f %d\n", b - a, r }' \
        >>"$WORK/times/$label"
}

# median LABEL -> median wall seconds
median() {
    awk '{ print $1 }' "$WORK/times/$1" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.2f", v[(NR + 1) / 2];
                                  else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# spread LABEL -> "min–max"
spread() { awk 'NR == 1 || $1 < lo { lo = $1 } NR == 1 || $1 > hi { hi = $1 }
                END { printf "%.2f–%.2f", lo, hi }' "$WORK/times/$1"; }
# peak_kib LABEL -> maximum RSS over the runs, KiB
peak_kib() { awk '$2 > m { m = $2 } END { print m + 0 }' "$WORK/times/$1"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
# verdict_ratio AMBER_S SQLITE_S -> "**0.62** ✓" against the 0.75 target
verdict_ratio() {
    local q
    q=$(ratio "$1" "$2")
    if le "$q" 0.75; then echo "**$q** ✓"; else echo "**$q** ✗"; fi
}
# verdict_rss KIB -> "41.3 ✓" against the 64 MiB target
verdict_rss() { if [ "$1" -le 65536 ]; then echo "$(mib "$1") ✓"; else echo "$(mib "$1") ✗"; fi; }

# rows_of DB -> row count of table geoname
rows_of() { sqlite3 -readonly "$1" 'SELECT count(*) FROM geoname'; }

# ---------------------------------------------------------------- docs/benchmarks.md

doc_init() {
    [ -f "$DOC" ] && return 0
    mkdir -p "$(dirname "$DOC")"
    cat >"$DOC" <<EOF
# Benchmarks

Produced by \`make bench\` (which runs \`scripts/bench.sh\`); every section below is rewritten
in place by its benchmark. Numbers are medians of N alternating runs (N is given per table);
this machine is shared and noisy, so treat differences of a few percent as noise.

First written $(date -u +%Y-%m-%d) on $(machine). Each section states when and where it was
last measured.
EOF
}

machine() {
    local model
    model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
    echo "${model:-unknown CPU}, $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
}

# doc_section NAME FILE : put FILE's contents between NAME's markers, replacing the old block,
# or append a new block at the end.
doc_section() {
    local body=$2 begin="<!-- bench:$1 -->" end="<!-- /bench:$1 -->" tmp
    doc_init
    tmp=$(mktemp "$DOC.XXXXXX")
    if grep -qxF "$begin" "$DOC"; then
        awk -v b="$begin" -v e="$end" -v f="$body" '
            $0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
            $0 == e { skip = 0 }
            !skip' "$DOC" >"$tmp"
    else
        { cat "$DOC"; printf '\n%s\n' "$begin"; cat "$body"; printf '%s\n' "$end"; } >"$tmp"
    fi
    mv "$tmp" "$DOC"
}

# ---------------------------------------------------------------- section: convert

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

# ---------------------------------------------------------------- section: build

# build_rounds ROUNDS : alternate the four commands, rotating which goes first. Each baseline is
# one run of `amber convert` followed by the compressor on the file it wrote.
build_rounds() {
    local rounds=$1 d=$WORK/build in=$WORK/convert/cities500.txt r i k order
    order=(pigz build zstd buildzstd)
    rm -f "$WORK/times/"build-*
    for ((r = 1; r <= rounds; r++)); do
        note "build: round $r/$rounds"
        for ((i = 0; i < 4; i++)); do
            k=${order[(i + r - 1) % 4]}
            case $k in
            pigz)
                run_timed build-pigz sh -c "'$AMBER' convert -q -f geonames --force '$in' -o '$d/base.db' &&
                    pigz -6 -c '$d/base.db' >'$d/base.db.gz'" ;;
            zstd)
                run_timed build-zstd sh -c "'$AMBER' convert -q -f geonames --force '$in' -o '$d/base.db' &&
                    zstd -q -3 -T0 -c '$d/base.db' >'$d/base.db.zst'" ;;
            build)
                run_timed build-gzip "$AMBER" build -q -f geonames --force "$in" -o "$d/img.tar" ;;
            buildzstd)
                run_timed build-zstdimg "$AMBER" build -q -f geonames --force --compression zstd "$in" \
                    -o "$d/imgz.tar" ;;
            esac
        done
    done
}

# layer_blob_size TAR N -> size in bytes of layer N (0-based) of an amber OCI archive
layer_blob_size() {
    local m
    m=$(tar -xOf "$1" index.json | jq -r '.manifests[0].digest' | cut -c8-)
    tar -xOf "$1" "blobs/sha256/$m" | jq -r ".layers[$2].size"
}

bench_build() {
    local src=${AMBER_GEONAMES:-$(dirname "$ROOT")/shared/data/geonames/cities500.txt.zst}
    if [ ! -f "$src" ]; then
        echo "bench build: skipped: GeoNames data not found at $src (set AMBER_GEONAMES)."
        return 0
    fi
    for t in pigz zstd jq; do command -v $t >/dev/null || die "$t not found (scripts/deps.sh installs it)"; done
    local d=$WORK/build rounds=${BENCH_ROUNDS:-5}
    mkdir -p "$d"
    convert_prepare "$src"
    build_rounds "$rounds"
    "$AMBER" verify -q "$d/img.tar" || die "the gzip image does not verify"
    "$AMBER" verify -q "$d/imgz.tar" || die "the zstd image does not verify"

    local p g z gz body=$WORK/build.md
    p=$(median build-pigz) g=$(median build-gzip) z=$(median build-zstd) gz=$(median build-zstdimg)
    # Sizes: the whole archive (documents and tar headers included) less the server layer,
    # against the compressed database file alone.
    local tg tz sg sz dbg dbz
    tg=$(stat -c %s "$d/img.tar") tz=$(stat -c %s "$d/imgz.tar")
    sg=$(layer_blob_size "$d/img.tar" 0) sz=$(layer_blob_size "$d/imgz.tar" 0)
    dbg=$(stat -c %s "$d/base.db.gz") dbz=$(stat -c %s "$d/base.db.zst")
    verdict() { if le "$1" "$2"; then echo "**$1** ✓"; else echo "**$1** ✗"; fi; }
    {
        echo "## build: GeoNames cities500 → OCI image"
        echo
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine); N = $rounds alternating rounds, median wall" \
            "time (min–max beside it), peak RSS the maximum over the runs. Target: ≤ 1.15× the baseline," \
            "which is \`amber convert\` followed by the compressor on its output, in one run."
        echo
        echo "| command | median s | min–max s | ratio | peak RSS MiB |"
        echo "| --- | ---: | ---: | ---: | ---: |"
        echo "| \`amber convert\` + \`pigz -6\` | $p | $(spread build-pigz) | 1.00 | $(mib "$(peak_kib build-pigz)") |"
        echo "| \`amber build\` (gzip -6, both cores) → OCI archive | $g | $(spread build-gzip) | $(verdict "$(ratio "$g" "$p")" 1.15) | $(mib "$(peak_kib build-gzip)") |"
        echo "| \`amber convert\` + \`zstd -3 -T0\` | $z | $(spread build-zstd) | 1.00 | $(mib "$(peak_kib build-zstd)") |"
        echo "| \`amber build --compression zstd\` → OCI archive | $gz | $(spread build-zstdimg) | $(verdict "$(ratio "$gz" "$z")" 1.15) | $(mib "$(peak_kib build-zstdimg)") |"
        echo
        echo "Size: the OCI archive less its server layer, against the compressed database file alone" \
            "(target ≤ 1.02)."
        echo
        echo "| compression | database file compressed, bytes | archive, bytes | server layer, bytes | (archive − server) / file |"
        echo "| --- | ---: | ---: | ---: | ---: |"
        echo "| gzip -6 (pigz) vs amber gzip | $dbg | $tg | $sg | $(verdict "$(awk -v a="$tg" -v s="$sg" -v b="$dbg" 'BEGIN { printf "%.3f", (a - s) / b }')" 1.02) |"
        echo "| zstd -3 vs amber zstd | $dbz | $tz | $sz | $(verdict "$(awk -v a="$tz" -v s="$sz" -v b="$dbz" 'BEGIN { printf "%.3f", (a - s) / b }')" 1.02) |"
        echo
        echo "\`amber build\` runs the same conversion (with its integrity check), then streams each layer" \
            "once: tar → sha256 (diff_id) → compressor → sha256 → archive, and writes config, manifest and" \
            "index. Its gzip is one ordinary gzip stream made of 128 KiB blocks deflated in parallel, each" \
            "primed with the 32 KiB before it (as pigz does), so its bytes do not depend on the thread count."
    } >"$body"
    cat "$body"
    doc_section build "$body"
    note "build: written to ${DOC#"$ROOT"/}"
}

# ---------------------------------------------------------------- section: server

AMBERD=${AMBERD:-$ROOT/bin/amberd}

# free_port -> a TCP port on 127.0.0.1 nothing listens on
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

# wait_http URL : poll until URL answers 2xx (5 s at most)
wait_http() {
    local i
    for ((i = 0; i < 500; i++)); do
        curl -sf -o /dev/null "$1" && return 0
        sleep 0.01
    done
    return 1
}

# stop_pid PID : SIGTERM, wait for it to end
stop_pid() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# server_wrk LABEL PORT LUA : one wrk run; leaves "rps p50_ms p99_ms" in $WORK/times/LABEL
server_wrk() {
    local label=$1 port=$2 lua=$3 out=$WORK/server/wrk-$1.txt
    wrk -t2 -c64 -d"${BENCH_SECONDS:-10}s" --latency -s "$lua" "http://127.0.0.1:$port" >"$out" 2>&1 ||
        die "wrk failed against $label: $(tail -n 5 "$out")"
    if grep -q 'Non-2xx' "$out"; then die "$label: wrk saw non-2xx answers: $(grep Non-2xx "$out")"; fi
    # Connection errors fail the run; wrk's own 2 s timeouts (a queue of slow queries) do not.
    if grep -Eq 'Socket errors: connect [1-9]|read [1-9]|write [1-9]' "$out"; then
        die "$label: wrk saw socket errors: $(grep 'Socket errors' "$out")"
    fi
    awk '
        function ms(v) { if (v ~ /us$/) return v * 0.001; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' "$out" >>"$WORK/times/$label"
}

# server_lua FILE PATH_PREFIX VALUES_FILE : a wrk script cycling through PATH_PREFIX + each value
server_lua() {
    {
        echo "local v = {"
        sed 's/.*/  "&",/' "$3"
        echo "}"
        echo "local i = 0"
        echo "request = function()"
        echo "  i = i + 1"
        echo "  return wrk.format(\"GET\", \"$2\" .. v[(i % #v) + 1])"
        echo "end"
    } >"$1"
}

# start_amberd_bench PORT ARGS... : starts amberd (2 threads), sets SPID, waits for it to answer
start_amberd_bench() {
    local port=$1
    shift
    "$AMBERD" --db "$WORK/server/geo.db" --listen "127.0.0.1:$port" --threads 2 "$@" 2>>"$WORK/server/amberd.log" &
    SPID=$!
    wait_http "http://127.0.0.1:$port/healthz" || die "amberd did not start: $(tail -n 3 "$WORK/server/amberd.log")"
}

# write_nginx_conf DIR PORT : nginx serving DIR/www/row.json to every path, everything under DIR
write_nginx_conf() {
    local d=$1
    {
        echo "worker_processes 2;"
        echo "daemon off;"
        echo "pid $d/nginx.pid;"
        echo "error_log $d/nginx-error.log warn;"
        echo "events { worker_connections 1024; }"
        echo "http {"
        echo "    access_log off;"
        for t in client_body proxy fastcgi uwsgi scgi; do echo "    ${t}_temp_path $d/nginx-tmp/$t;"; done
        echo "    default_type application/json;"
        echo "    server {"
        echo "        listen 127.0.0.1:$2;"
        echo "        root $d/www;"
        echo "        location / { try_files /row.json =404; }"
        echo "    }"
        echo "}"
    } >"$d/nginx.conf"
}

bench_server() {
    local src=${AMBER_GEONAMES:-$(dirname "$ROOT")/shared/data/geonames/cities500.txt.zst}
    if [ ! -f "$src" ]; then
        echo "bench server: skipped: GeoNames data not found at $src (set AMBER_GEONAMES)."
        return 0
    fi
    for t in wrk nginx curl sqlite3 jq; do command -v $t >/dev/null || die "$t not found (scripts/deps.sh installs it)"; done
    [ -x "$AMBERD" ] || die "$AMBERD not found; run \`make bench\` (it builds bin/amberd first)"
    local d=$WORK/server
    mkdir -p "$d/www" "$d/nginx-tmp"
    convert_prepare "$src"
    if [ ! -f "$d/geo.db" ] || [ "$WORK/convert/cities500.txt" -nt "$d/geo.db" ]; then
        note "server: building the database (not timed)"
        "$AMBER" convert -q -f geonames --force "$WORK/convert/cities500.txt" -o "$d/geo.db"
    fi
    local rows
    rows=$(rows_of "$d/geo.db")
    # About 1000 ids spread evenly over the table; name prefixes for the LIKE search.
    sqlite3 -readonly "$d/geo.db" "SELECT geonameid FROM (SELECT geonameid, row_number() OVER (ORDER BY geonameid) AS n
        FROM geoname) WHERE n % $((rows / 1000 + 1)) = 0" >"$d/ids.txt"
    sqlite3 -readonly "$d/geo.db" "SELECT DISTINCT substr(name, 1, 3) FROM geoname WHERE name GLOB '[A-Z][a-z][a-z]*'
        ORDER BY 1 LIMIT 300" >"$d/prefixes.txt"
    server_lua "$d/pk.lua" /v1/tables/geoname/ "$d/ids.txt"
    local like glob group
    like=$(jq -rn '"SELECT geonameid, name, country_code FROM geoname WHERE name LIKE :p ORDER BY name LIMIT 10" | @uri')
    glob=$(jq -rn '"SELECT geonameid, name, country_code FROM geoname WHERE name GLOB :p ORDER BY name LIMIT 10" | @uri')
    group=$(jq -rn '"SELECT country_code, count(*) AS n, max(population) AS biggest FROM geoname GROUP BY country_code ORDER BY n DESC" | @uri')
    sed 's/$/%25/' "$d/prefixes.txt" >"$d/like.txt"
    sed 's/$/*/' "$d/prefixes.txt" >"$d/glob.txt"
    server_lua "$d/like.lua" "/v1/query?sql=$like&p=" "$d/like.txt"
    server_lua "$d/glob.lua" "/v1/query?sql=$glob&p=" "$d/glob.txt"
    echo 1 >"$d/one.txt"
    server_lua "$d/group.lua" "/v1/query?sql=$group&_=" "$d/one.txt"
    : >"$d/amberd.log"

    # Start-up: from exec to the first answered pk lookup, median of 7.
    local port i t0 t1 first=$d/first.txt id
    id=$(head -n 1 "$d/ids.txt")
    port=$(free_port)
    : >"$first"
    for ((i = 0; i < 7; i++)); do
        t0=$(date +%s%N)
        "$AMBERD" --db "$d/geo.db" --listen "127.0.0.1:$port" --threads 2 2>>"$d/amberd.log" &
        SPID=$!
        wait_http "http://127.0.0.1:$port/v1/tables/geoname/$id" || die "amberd did not start"
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000)) >>"$first"
        stop_pid $SPID
    done
    local start_ms
    start_ms=$(sort -n "$first" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

    # The pk workload: amberd, amberd --immutable off and nginx in alternating rounds (the
    # machine is shared and noisy), rotating which goes first; medians are reported.
    local idle load r k rounds=${BENCH_ROUNDS:-3} order=(amberd amberd-mut nginx)
    rm -f "$WORK/times/"amberd* "$WORK/times/nginx"
    start_amberd_bench "$port"
    sleep 0.2
    idle=$(rss_kib $SPID)
    curl -sf "http://127.0.0.1:$port/v1/tables/geoname/$id" >"$d/www/row.json"
    curl -sf "http://127.0.0.1:$port/v1/query?sql=$like&p=Abc%25" | jq -e '.rows' >/dev/null || die "the LIKE query fails"
    curl -sf "http://127.0.0.1:$port/v1/query?sql=$group" | jq -e '.rows' >/dev/null || die "the GROUP BY query fails"
    stop_pid $SPID
    chmod -R a+rX "$d/www"
    write_nginx_conf "$d" "$port"
    for ((r = 1; r <= rounds; r++)); do
        for ((i = 0; i < 3; i++)); do
            k=${order[(i + r - 1) % 3]}
            note "server: pk lookups, round $r/$rounds: $k, ${BENCH_SECONDS:-10} s"
            case $k in
            amberd) start_amberd_bench "$port" ;;
            amberd-mut) start_amberd_bench "$port" --immutable off ;;
            nginx)
                nginx -e "$d/nginx-error.log" -p "$d" -c "$d/nginx.conf" &
                SPID=$!
                wait_http "http://127.0.0.1:$port/v1/tables/geoname/$id" ||
                    die "nginx did not start: $(tail -n 3 "$d/nginx-error.log")"
                ;;
            esac
            server_wrk "$k" "$port" "$d/pk.lua"
            stop_pid $SPID
        done
    done

    # The SQL workloads, once each, on one amberd; its RSS after all of them.
    start_amberd_bench "$port"
    note "server: amberd LIKE prefix search"
    server_wrk amberd-like "$port" "$d/like.lua"
    note "server: amberd GLOB prefix search"
    server_wrk amberd-glob "$port" "$d/glob.lua"
    note "server: amberd GROUP BY"
    server_wrk amberd-group "$port" "$d/group.lua"
    server_wrk amberd-pk-after "$port" "$d/pk.lua"
    load=$(rss_kib $SPID)
    stop_pid $SPID

    local body=$WORK/server.md base
    # column N of LABEL's runs -> median
    server_median() { awk -v c="$2" '{ print $c }' "$WORK/times/$1" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    base=$(server_median nginx 1)
    server_row() { # LABEL DESCRIPTION
        local rps p50 p99 q v="" n
        rps=$(server_median "$1" 1) p50=$(server_median "$1" 2) p99=$(server_median "$1" 3)
        n=$(wc -l <"$WORK/times/$1")
        q=$(ratio "$rps" "$base")
        case $1 in amberd | amberd-mut) if le 0.5 "$q"; then v=" ✓"; else v=" ✗"; fi ;; esac
        echo "| $2 | $n | ${rps%.*} | $p50 | $p99 | **$q**$v |"
    }
    {
        echo "## server: amberd against nginx"
        echo
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine); $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)." \
            "Each row is one \`wrk -t2 -c64 -d${BENCH_SECONDS:-10}s --latency\` run on the same machine as the server" \
            "(client and server share the CPUs); both servers run 2 workers. The pk rows are medians of N" \
            "alternating rounds (each server freshly started); the SQL rows are one run each on one amberd. The" \
            "database is GeoNames cities500 ($rows rows). Target: amberd pk lookups ≥ 0.5× nginx's requests/s."
        echo
        echo "| workload | N | requests/s | p50 ms | p99 ms | ÷ nginx |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: |"
        server_row nginx "nginx: a static file of the same size as a pk answer ($(stat -c %s "$d/www/row.json") bytes)"
        server_row amberd "amberd: \`GET /v1/tables/geoname/{id}\`, $(wc -l <"$d/ids.txt") ids spread over the table"
        server_row amberd-mut "amberd \`--immutable off\`: the same"
        server_row amberd-like "amberd: \`/v1/query\` \`name LIKE :p ORDER BY name LIMIT 10\`, p = 'Abc%' etc., $(wc -l <"$d/prefixes.txt") prefixes (case-insensitive: scans the table)"
        server_row amberd-glob "amberd: the same with \`name GLOB :p\`, p = 'Abc*' etc. (uses the name index)"
        server_row amberd-group "amberd: \`/v1/query\` GROUP BY country_code over the whole table"
        server_row amberd-pk-after "amberd: pk lookups again, after the SQL loads (same process)"
        echo
        echo "| amberd | |"
        echo "| --- | ---: |"
        echo "| binary (static, stripped) | $(mib "$(($(stat -c %s "$AMBERD") / 1024))") MiB |"
        echo "| RSS idle, after start | $(mib "$idle") MiB |"
        echo "| RSS after the pk, LIKE, GLOB and GROUP BY loads (the database is mmapped: its pages count) | $(mib "$load") MiB |"
        echo "| start → first pk answer (median of 7, includes curl's start) | $start_ms ms |"
        echo
        echo "Every answer was a 2xx (a run with any other status aborts the benchmark). nginx answers every" \
            "request with the same file (\`try_files\`), \`access_log off\`; amberd runs with its defaults" \
            "(access log off, ETag and Cache-Control computed per request; wrk sends no If-None-Match)."
    } >"$body"
    cat "$body"
    doc_section server "$body"
    note "server: written to ${DOC#"$ROOT"/}"
}

# ---------------------------------------------------------------- main

if ! "$GNU_TIME" -f %M true >/dev/null 2>&1; then
    die "GNU time not found at $GNU_TIME (apt-get install time; scripts/deps.sh installs it)"
fi
mkdir -p "$WORK/times"

sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=("${BENCH_SECTIONS[@]}")
for s in "${sections[@]}"; do
    declare -F "bench_$s" >/dev/null || die "unknown section '$s' (have: ${BENCH_SECTIONS[*]})"
    "bench_$s"
done
