#!/usr/bin/env bash
# test_readme.sh — every command a new user copies from the README works.
#
# Runs each ```sh fenced block of README.md, in order, as one bash script (set -euo pipefail)
# in a fresh directory that has the repository's samples/, with amber and amberd on PATH, so the commands run
# exactly as written. Blocks shown as indented text are examples that need things a clean
# clone does not have (the full GeoNames file, a registry, a cluster) and are not run.
# A server a block starts on 127.0.0.1:8080 gets a free port instead, and anything a block
# leaves running in the background is stopped by PID when the block ends.
. "$(dirname "$0")/lib.sh"

README=$ROOT/README.md
cd "$WORK" || exit 1
ln -s "$ROOT/samples" samples
# `amber` is the binary under test ($AMBER: the sanitizer build in the second pass).
mkdir bin
ln -s "$AMBER" bin/amber
ln -s "$ROOT/bin/amberd" bin/amberd
export PATH=$WORK/bin:$PATH
export XDG_CACHE_HOME=$WORK/cache

# Splits the README's ```sh blocks into block-N.sh files, each with its first line number.
awk -v dir="$WORK" '
	/^```sh[ \t]*$/ { n++; file = sprintf("%s/block-%02d.sh", dir, n); printf "%d\n", NR > (file ".line"); inblock = 1; next }
	/^```/ && inblock { inblock = 0; close(file); next }
	inblock { print > file }' "$README"

blocks=$(ls "$WORK"/block-*.sh 2>/dev/null | wc -l)
if [ "$blocks" -lt 3 ]; then
	not_ok "README has runnable \`\`\`sh blocks" "found $blocks"
fi

for b in "$WORK"/block-*.sh; do
	[ -e "$b" ] || continue
	line=$(cat "$b.line")
	port=$(free_port)
	first=$(grep -v '^\s*#' "$b" | grep -m1 . | cut -c1-70)
	{
		echo "set -euo pipefail"
		sed "s/127\.0\.0\.1:8080/127.0.0.1:$port/g; s/localhost:8080/127.0.0.1:$port/g" "$b"
		echo
		# Stop whatever the block left running in the background, by PID.
		echo 'for p in $(jobs -p); do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done'
	} >"$b.run"
	if timeout 120 bash "$b.run" >"$b.out" 2>&1; then
		ok "README line $line: $first"
	else
		not_ok "README line $line: $first" "$(tail -n 15 "$b.out")"
	fi
done

finish
