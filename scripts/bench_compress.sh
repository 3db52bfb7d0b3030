#!/usr/bin/env bash
# bench_compress.sh — times formats/compress against pigz and the zstd CLI on one file.
#
#   scripts/bench_compress.sh [FILE] [ROUNDS]
#
# FILE defaults to /tmp/cities.db (make it with: zstd -dc cities500.txt.zst > /tmp/cities500.txt
# && bin/amber convert -q /tmp/cities500.txt -o /tmp/cities.db); ROUNDS defaults to 5. Builds a
# tiny driver (stdin → compressor → stdout) against build/rel, runs the tools alternately round
# by round with output to /dev/null, and prints the median wall time, the throughput and the
# compressed size of each, then checks that gzip and zstd decode our output to the input.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FILE=${1:-/tmp/cities.db}
ROUNDS=${2:-5}
WORK=$ROOT/build/bench_compress
mkdir -p "$WORK"
[ -f "$FILE" ] || { echo "bench_compress: no $FILE" >&2; exit 1; }

make -C "$ROOT" --no-print-directory -s build/rel/formats/compress.o build/rel/core/sink.o \
	build/rel/core/buf.o build/rel/core/error.o build/rel/core/digest.o >/dev/null

cat >"$WORK/driver.c" <<'EOF'
/* driver.c — stdin → compressor_create(argv) → stdout, for timing. */
#include "core/sink.h"
#include "formats/compress.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	enum compression c;
	if (argc != 4 || compression_parse(argv[1], &c) < 0) {
		fprintf(stderr, "usage: driver gzip|zstd|none LEVEL THREADS < in > out\n");
		return 2;
	}
	struct amber_error err = {0};
	struct sink_fd out;
	sink_fd_init(&out, 1, "stdout");
	struct sink *z = compressor_create(c, atoi(argv[2]), atoi(argv[3]), UINT64_MAX, &out.base, &err);
	static char buf[1 << 20];
	ssize_t n;
	if (!z)
		goto fail;
	while ((n = read(0, buf, sizeof buf)) > 0)
		if (sink_write(z, buf, (size_t)n, &err) < 0)
			goto fail;
	if (n < 0 || sink_close(z, &err) < 0)
		goto fail;
	sink_free(z);
	return 0;
fail:
	fprintf(stderr, "driver: %s\n", err.message);
	return 1;
}
EOF
cc -O2 -std=c11 -D_GNU_SOURCE -I"$ROOT" -o "$WORK/driver" "$WORK/driver.c" \
	"$ROOT"/build/rel/formats/compress.o "$ROOT"/build/rel/core/{sink,buf,error,digest}.o \
	-lz -lzstd -lnettle -lpthread

declare -A CMDS=(
	[amber-gzip6-p2]="$WORK/driver gzip 6 2"
	[pigz-6-p2]="pigz -6 -p 2 -c"
	[amber-gzip6-p1]="$WORK/driver gzip 6 1"
	[gzip-6]="gzip -6 -c"
	[amber-zstd3-T2]="$WORK/driver zstd 3 2"
	[zstd-3-T0]="zstd -q -3 -T0 -c"
)
ORDER=(amber-gzip6-p2 pigz-6-p2 amber-gzip6-p1 gzip-6 amber-zstd3-T2 zstd-3-T0)
[ "${BENCH_SERIAL:-0}" = 1 ] || ORDER=(amber-gzip6-p2 pigz-6-p2 amber-zstd3-T2 zstd-3-T0)

rm -f "$WORK"/*.times
for ((r = 0; r < ROUNDS; r++)); do
	for name in "${ORDER[@]}"; do
		t0=$(date +%s.%N)
		${CMDS[$name]} <"$FILE" >/dev/null
		t1=$(date +%s.%N)
		echo "$t1 - $t0" | bc >>"$WORK/$name.times"
	done
done

size=$(stat -c %s "$FILE")
printf '%s: %d bytes, %d rounds (median)\n' "$FILE" "$size" "$ROUNDS"
printf '%-16s %9s %10s %12s %7s\n' tool seconds MB/s bytes ratio
for name in "${ORDER[@]}"; do
	med=$(sort -n "$WORK/$name.times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	out=$(${CMDS[$name]} <"$FILE" | wc -c)
	printf '%-16s %9.3f %10.1f %12d %7.4f\n' "$name" "$med" "$(echo "$size / $med / 1000000" | bc -l)" \
		"$out" "$(echo "$out / $size" | bc -l)"
done

"$WORK/driver" gzip 6 2 <"$FILE" >"$WORK/out.gz"
gzip -t "$WORK/out.gz" && gzip -dc "$WORK/out.gz" | cmp -s - "$FILE" && echo "gzip -dc: ok"
"$WORK/driver" zstd 3 2 <"$FILE" >"$WORK/out.zst"
zstd -q -dc "$WORK/out.zst" | cmp -s - "$FILE" && echo "zstd -dc: ok"
