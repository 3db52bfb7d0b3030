# bench/lib.sh — measuring and docs/benchmarks.md helpers shared by the sections (sourced by scripts/bench.sh).

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

