#!/usr/bin/env bash
# fuzz.sh — run libFuzzer targets for a fixed time each and summarise what they found.
#
# Usage: scripts/fuzz.sh SECONDS FUZZER...
# Each fuzzer keeps a growing corpus in build/fuzz/corpus/<name> (so later runs start where
# earlier ones stopped), also reads the checked-in seeds in tests/fuzz/seeds/<name>/, writes
# its log to build/fuzz/logs/<name>.log and any crashing input to build/fuzz/artifacts/<name>/.
# Prints one line per fuzzer, then "N passed, M failed"; exits non-zero if any failed.
set -euo pipefail

if [ $# -lt 2 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
	echo "usage: $0 SECONDS FUZZER..." >&2
	exit 2
fi
seconds=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0

for fuzzer in "$@"; do
	name=$(basename "$fuzzer")
	corpus=$root/build/fuzz/corpus/$name
	artifacts=$root/build/fuzz/artifacts/$name
	log=$root/build/fuzz/logs/$name.log
	seeds=$root/tests/fuzz/seeds/$name
	mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"

	if [ ! -x "$fuzzer" ]; then
		echo "$name: FAILED (no executable at $fuzzer)"
		failed=$((failed + 1))
		continue
	fi

	# The first directory receives new inputs; the seeds are only read.
	dirs=("$corpus")
	if [ -d "$seeds" ]; then
		dirs+=("$seeds")
	fi

	rc=0
	"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
		"${dirs[@]}" >"$log" 2>&1 || rc=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	units=$(find "$corpus" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "$name: ok (${execs:-?} execs in ${took:-?} s, corpus $units inputs)"
		passed=$((passed + 1))
	else
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		echo "$name: FAILED (exit $rc after ${execs:-?} execs; input ${crash:-none saved}; log $log)"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
