# bench/build.sh — section build: amber build against amber convert + a compressor (sourced by scripts/bench.sh).


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

