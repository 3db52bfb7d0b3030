#!/usr/bin/env bash
# test_demo.sh — what `make demo` shows works: scripts/demo.sh builds the GeoNames sample with
# its canned queries into an image, verifies it, runs it with `amber run` on a free port, gets
# the three answers and stops the server. Its output directory is this test's.
. "$(dirname "$0")/lib.sh"

AMBER=$AMBER DEMO_OUT=$WORK/demo bash "$ROOT/scripts/demo.sh" >"$WORK/demo.out" 2>&1
check "scripts/demo.sh exits 0" test $? -eq 0
out=$WORK/demo.out
check "it verifies the image it built" grep -q '^verified .*geonames.tar (OCI archive)' "$out"
check "amber run serves it from the unpack cache" grep -Eq "amberd: serving $WORK/demo/cache/amber/[0-9a-f]{64}/rootfs/data/amber.db" "$out"
# The first data row under each question's header.
answer() { grep -A3 "^== $1" "$out" | sed -n 4p | awk '{ print $2 }'; }
check "by_country CH: Zürich first" test "$(answer 'the most populous places of Switzerland')" = Zürich
check "nearest to Santiago de Chile: Santiago first" test "$(answer 'the places nearest to Santiago')" = Santiago
check "search 'Zür': Zürich first" test "$(answer "names starting with 'Zür'")" = Zürich
check "the server was stopped (drained, exit 0)" grep -q '^== stopping the server' "$out"
port=$(sed -n 's/.* on 127\.0\.0\.1:\([0-9]*\) with.*/\1/p' "$out" | head -n 1)
check "the server's port ($port) no longer answers" bash -c "! curl -s -o /dev/null --max-time 2 http://127.0.0.1:$port/healthz"
finish
