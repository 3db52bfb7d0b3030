#!/usr/bin/env bash
# Benchmarks against baselines. `make bench` builds bin/amber and bin/amberd, then runs this.
#
#   scripts/bench.sh [SECTION...]     run the named sections (default: all of BENCH_SECTIONS)
#
# Each section is a function bench_<name>, in scripts/bench/<name>.sh, that prints a markdown
# table to stdout and replaces its own block in docs/benchmarks.md, between <!-- bench:NAME -->
# and <!-- /bench:NAME -->. To add a benchmark, write scripts/bench/<name>.sh defining
# bench_<name> and append <name> to BENCH_SECTIONS. scripts/bench/lib.sh holds the shared
# measuring and document helpers.
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

BENCH_SECTIONS=(convert dumps build server overlay propagation)

die() {
    echo "bench: $*" >&2
    exit 1
}
note() { echo "bench: $*" >&2; }

# The sections live in scripts/bench/<name>.sh, each defining bench_<name>.
for part in "$ROOT"/scripts/bench/*.sh; do
    # shellcheck source=/dev/null
    . "$part"
done

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
