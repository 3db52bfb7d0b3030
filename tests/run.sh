#!/usr/bin/env bash
# run.sh — runs every test: cmocka unit tests and end-to-end scripts, first on the release
# build, then (unless --unit-only or --no-san) on the ASan+UBSan build with LeakSanitizer on.
# Ends with one line "N passed, M failed" over everything.
set -uo pipefail
cd "$(dirname "$0")/.."
total_pass=0
total_fail=0
modes=(rel san)
unit_only=0
for arg in "$@"; do
	case $arg in
	--unit-only) unit_only=1; modes=(rel) ;;
	--no-san) modes=(rel) ;;
	esac
done

# Adds the counts of one runner's output (cmocka's summary or our "N passed, M failed").
count() {
	local out=$1 status=$2 p f
	p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$out" | awk '{s+=$4} END {print s+0}')
	f=$(grep -Eo '^\[  FAILED  \] [0-9]+' "$out" | awk '{s+=$4} END {print s+0}')
	if ! grep -q '^\[==========\]' "$out"; then
		p=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 | awk '{print $1}')
		f=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 | awk '{print $3}')
		p=${p:-0} f=${f:-0}
	fi
	# A runner that crashed or failed without counting still counts as one failure.
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

for mode in "${modes[@]}"; do
	echo "=== $mode: unit tests"
	if [ "$mode" = san ]; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		amber=build/san/bin/amber
	else
		amber=bin/amber
	fi
	for t in build/$mode/tests/test_*; do
		[ -x "$t" ] || continue
		log=$(mktemp)
		"$t" >"$log" 2>&1
		status=$?
		cat "$log"
		count "$log" $status
		rm -f "$log"
	done
	[ $unit_only -eq 1 ] && continue
	echo "=== $mode: end-to-end tests"
	for t in tests/e2e/test_*.sh; do
		[ -f "$t" ] || continue
		log=$(mktemp)
		AMBER=$PWD/$amber bash "$t" >"$log" 2>&1
		status=$?
		sed "s|^|$(basename "$t" .sh): |" "$log"
		count "$log" $status
		rm -f "$log"
	done
done

# A short bounded run of every fuzz target (make fuzz runs them longer).
if [ $unit_only -eq 0 ] && ls build/fuzz/fuzz_* >/dev/null 2>&1; then
	echo "=== fuzz smoke (${FUZZ_SMOKE_SECONDS:-5} s each)"
	log=$(mktemp)
	scripts/fuzz.sh "${FUZZ_SMOKE_SECONDS:-5}" $(ls build/fuzz/fuzz_* | grep -v '\.') >"$log" 2>&1
	status=$?
	cat "$log"
	count "$log" $status
	rm -f "$log"
fi
echo
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
