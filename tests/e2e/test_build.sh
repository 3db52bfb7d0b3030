#!/usr/bin/env bash
# test_build.sh — `amber build`, `amber inspect` and `amber verify` end to end: the three output
# forms and what they hold, reproducibility, options, refusals that leave nothing behind, and
# `verify` catching every kind of alteration (a flipped byte in each kind of blob, a missing
# blob, a wrong size, a wrong diff_id). Third-party consumers are in test_consumers.sh.
. "$(dirname "$0")/lib.sh"
SAMPLE=$ROOT/samples/geonames/cities500-extract.txt
SERVER=$ROOT/bin/amberd
cd "$WORK"
build() { "$AMBER" build -q --server "$SERVER" -f geonames "$SAMPLE" "$@"; }
blob() { echo "$1/blobs/sha256/${2#sha256:}"; }
manifest_of() { jq -r '.manifests[0].digest' "$1/index.json"; }
config_of() { jq -r '.config.digest' "$(blob "$1" "$(manifest_of "$1")")"; }
layer_of() { jq -r ".layers[$2].digest" "$(blob "$1" "$(manifest_of "$1")")"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# flip FILE OFFSET: xor one byte with 1, in place.
flip() { perl -e 'open(F, "+<", $ARGV[0]) or die; seek(F, $ARGV[1], 0); read(F, $b, 1); seek(F, $ARGV[1], 0); print F chr(ord($b) ^ 1); close F' "$1" "$2"; }

# --- the three forms ---------------------------------------------------------------------------
mkdir out
check "build writes a layout, a hybrid archive, a docker-archive and the database" \
	build -t geo:1 -o out/img --db-out out/amber.db
check "  ... as a tar and a docker-archive in one run" build -t geo:1 -o out/img.tar --docker-archive out/img.docker.tar
check "only the outputs are left, no temporaries" only_files out amber.db img img.docker.tar img.tar
check "layout: oci-layout, index.json, blobs/sha256 only" test "$(cd out/img && find . -type f | sed 's|/[0-9a-f]\{64\}$|/B|' | sort | uniq -c | tr -s ' ')" = \
	"$(printf ' 4 ./blobs/sha256/B\n 1 ./index.json\n 1 ./oci-layout')"
check "layout: every blob is named by its sha256" bash -c 'cd out/img/blobs/sha256 && for f in *; do [ "$(sha256sum <"$f" | cut -c1-64)" = "$f" ] || exit 1; done'
check "index names the image with a full reference" test "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' out/img/index.json)" = localhost/geo:1
M=$(blob out/img "$(manifest_of out/img)")
C=$(blob out/img "$(config_of out/img)")
check "manifest: OCI media types, two gzip layers" test "$(jq -r '[.mediaType, .config.mediaType, .layers[].mediaType] | join(" ")' "$M")" = \
	"application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.config.v1+json application/vnd.oci.image.layer.v1.tar+gzip application/vnd.oci.image.layer.v1.tar+gzip"
check "config: user, entrypoint, cmd, port, workdir, os" test "$(jq -c '[.config.User, .config.Entrypoint, .config.Cmd, (.config.ExposedPorts | keys), .config.WorkingDir, .os]' "$C")" = \
	'["65534:65534",["/amberd"],["--db","/data/amber.db"],["8080/tcp"],"/","linux"]'
check "config: no Volumes (a container needs no volume)" test "$(jq '.config | has("Volumes")' "$C")" = false
check "config: the database label is the sha256 of the database" test "$(jq -r '.config.Labels["io.amber.db.sha256"]' "$C")" = "$(sha out/amber.db)"
check "config: row count and source digest labels" test "$(jq -r '.config.Labels | [.["io.amber.table.geoname.rows"], .["io.amber.source.1.sha256"]] | join(" ")' "$C")" = \
	"$(wc -l <"$SAMPLE") $(sha "$SAMPLE")"
check "config: created is the epoch without SOURCE_DATE_EPOCH" test "$(jq -r '.created, .config.Labels["org.opencontainers.image.created"]' "$C" | sort -u)" = 1970-01-01T00:00:00Z
check "config: one diff_id per layer, each the sha256 of the uncompressed layer" test \
	"$(jq -r '.rootfs.diff_ids | join(" ")' "$C")" = "sha256:$(gzip -dc "$(blob out/img "$(layer_of out/img 0)")" | sha256sum | cut -c1-64) sha256:$(gzip -dc "$(blob out/img "$(layer_of out/img 1)")" | sha256sum | cut -c1-64)"
mkdir l1 l2
tar -xzf "$(blob out/img "$(layer_of out/img 0)")" -C l1
tar -xzf "$(blob out/img "$(layer_of out/img 1)")" -C l2
check "layer 1 holds exactly /amberd, byte-identical to the server" bash -c "[ \"\$(cd l1 && find . | sort | tr '\n' ' ')\" = '. ./amberd ' ] && cmp l1/amberd '$SERVER'"
check "layer 2 holds exactly /data/amber.db, byte-identical to --db-out" bash -c "[ \"\$(cd l2 && find . | sort | tr '\n' ' ')\" = '. ./data ./data/amber.db ' ] && cmp l2/data/amber.db out/amber.db"
check "layer tars: modes 0555 and 0444, uid/gid 0 with no names, mtime 0" test \
	"$(for l in 0 1; do gzip -dc "$(blob out/img "$(layer_of out/img $l)")" | tar -tv --numeric-owner --full-time -f -; done | awk '{print $1, $2, $4, $5}' | tr '\n' '|')" = \
	"-r-xr-xr-x 0/0 1970-01-01 00:00:00|drwxr-xr-x 0/0 1970-01-01 00:00:00|-r--r--r-- 0/0 1970-01-01 00:00:00|"
check "gzip layers have no name and no time in their header" test "$(head -c 10 "$(blob out/img "$(layer_of out/img 1)")" | od -An -tx1 | tr -d ' \n')" = 1f8b0800000000000003
check "the archive is the same layout plus a docker manifest.json" test \
	"$(tar -tf out/img.tar | tr '\n' ' ')" = "oci-layout blobs/ blobs/sha256/ blobs/sha256/$(layer_of out/img 0 | cut -c8-) blobs/sha256/$(layer_of out/img 1 | cut -c8-) blobs/sha256/$(config_of out/img | cut -c8-) blobs/sha256/$(manifest_of out/img | cut -c8-) index.json manifest.json "
check "archive: manifest.json points into blobs/sha256 with the full reference" test \
	"$(tar -xOf out/img.tar manifest.json | jq -r '.[0] | [.Config, .RepoTags[0], .Layers[1]] | join(" ")')" = \
	"blobs/sha256/$(config_of out/img | cut -c8-) localhost/geo:1 blobs/sha256/$(layer_of out/img 1 | cut -c8-)"
check "docker-archive: uncompressed layers named by diff_id and the same config bytes" bash -c \
	"tar -xOf out/img.docker.tar $(config_of out/img | cut -c8-).json | cmp - '$C' && tar -tf out/img.docker.tar | grep -qx \"\$(jq -r '.rootfs.diff_ids[1]' '$C' | cut -c8-)/layer.tar\""

# --- inspect -----------------------------------------------------------------------------------
for f in img img.tar img.docker.tar; do
	check "inspect $f: reference, config digest, table rows" test \
		"$("$AMBER" inspect --json out/$f | jq -r '[.reference, .config_digest, .tables[0].name, .tables[0].rows] | join(" ")')" = \
		"localhost/geo:1 $(config_of out/img) geoname $(wc -l <"$SAMPLE")"
done
check "inspect (text) shows manifest, entrypoint and tables" bash -c "'$AMBER' inspect out/img.tar | grep -q '^manifest    $(manifest_of out/img) ' && '$AMBER' inspect out/img.tar | grep -q '^entrypoint  /amberd --db /data/amber.db' && '$AMBER' inspect out/img.tar | grep -Eq '^  geoname +$(wc -l <"$SAMPLE") rows'"
check_fails "inspect of a plain file fails" "not an image|tar" "$AMBER" inspect "$SAMPLE"

# --- verify: sound images pass ------------------------------------------------------------------
for f in img img.tar img.docker.tar; do
	check "verify $f passes" "$AMBER" verify out/$f
done

# --- reproducibility ---------------------------------------------------------------------------
mkdir rep
check "rebuild in another directory with --threads 1 and umask 077" bash -c "umask 077 && cd rep && TZ=Asia/Tokyo '$AMBER' build -q --server '$SERVER' --threads 1 -f geonames '$SAMPLE' -t geo:1 -o img.tar && TZ=Asia/Tokyo '$AMBER' build -q --server '$SERVER' --threads 1 -f geonames '$SAMPLE' -t geo:1 -o img"
check "two builds give the same manifest digest" test "$(manifest_of rep/img)" = "$(manifest_of out/img)"
check "two builds give byte-identical archives" cmp rep/img.tar out/img.tar
check "SOURCE_DATE_EPOCH sets created and the database layer's mtimes" bash -c "SOURCE_DATE_EPOCH=1700000000 '$AMBER' build -q --server '$SERVER' -f geonames '$SAMPLE' -o rep/e && jq -r .created \"\$(ls rep/e/blobs/sha256/* | xargs grep -l rootfs)\" | grep -qx 2023-11-14T22:13:20Z"
check "  ... while the server layer stays byte-identical (shared by every image)" test "$(jq -r '.layers[0].digest' "$(blob rep/e "$(manifest_of rep/e)")")" = "$(layer_of out/img 0)"
check "  ... and the database layer changes" test "$(jq -r '.layers[1].digest' "$(blob rep/e "$(manifest_of rep/e)")")" != "$(layer_of out/img 1)"

# --- options -----------------------------------------------------------------------------------
check "zstd: layers labelled tar+zstd and framed as zstd" bash -c "'$AMBER' build -q --server '$SERVER' -f geonames '$SAMPLE' --compression zstd -o rep/z && [ \"\$(jq -r '.layers[].mediaType' \"\$(ls -S rep/z/blobs/sha256/* | tail -1)\" 2>/dev/null | sort -u)\" = application/vnd.oci.image.layer.v1.tar+zstd ]"
check "zstd: verify passes" "$AMBER" verify -q rep/z
check "none: uncompressed layers have the diff_id as digest" bash -c "'$AMBER' build -q --server '$SERVER' -f geonames '$SAMPLE' --compression none -o rep/n && m=rep/n/blobs/sha256/\$(jq -r '.manifests[0].digest' rep/n/index.json | cut -c8-) && c=rep/n/blobs/sha256/\$(jq -r .config.digest \$m | cut -c8-) && [ \"\$(jq -c '[.layers[].digest]' \$m)\" = \"\$(jq -c .rootfs.diff_ids \$c)\" ]"
check "--label adds a label and overrides amber's own" bash -c "'$AMBER' build -q --server '$SERVER' -f geonames '$SAMPLE' --label team=geo --label org.opencontainers.image.title=places -o rep/lab && '$AMBER' inspect --json rep/lab | jq -e '.labels.team == \"geo\" and .labels[\"org.opencontainers.image.title\"] == \"places\"'"
check "a bare tag becomes localhost/NAME:latest" bash -c "'$AMBER' build -q --server '$SERVER' -f geonames '$SAMPLE' -t myimage -o rep/bare && [ \"\$('$AMBER' inspect --json rep/bare | jq -r .reference)\" = localhost/myimage:latest ]"
check "quiet build prints only the manifest digest" test "$(build -o rep/q)" = "$(manifest_of rep/q)"

# --- refusals: clear error, exit 1 or 2, nothing left ------------------------------------------
mkdir bad
check_fails "an existing output without --force is refused" "already exists.*--force" build -o out/img
check "  ... and left untouched" test "$(manifest_of out/img)" = "$(manifest_of rep/img)"
check "--force replaces a layout directory" build -t other:2 -o out/img --force
check "  ... with the new image, no leftovers" bash -c "[ \"\$('$AMBER' inspect --json out/img | jq -r .reference)\" = localhost/other:2 ] && [ \"\$(ls -A out | tr '\n' ' ')\" = 'amber.db img img.docker.tar img.tar ' ]"
check_fails "a bad tag is refused" "reference 'Bad Name'" build -t 'Bad Name' -o bad/x
check_fails "a missing server binary is refused" "server binary is missing" "$AMBER" build -q --server "$WORK/nope" -f geonames "$SAMPLE" -o bad/x
check_fails "no output is refused" "no output" "$AMBER" build -q -f geonames "$SAMPLE"
check_fails "bad input: error names the place" "bad.tsv:2:" bash -c "printf 'a\tb\n1\n' >bad.tsv && '$AMBER' build -q --server '$SERVER' bad.tsv -o bad/x.tar --docker-archive bad/y.tar --db-out bad/z.db"
check "  ... and nothing is left behind" only_files bad
check_fails "--compression must be known" "gzip, zstd or none" build --compression lz4 -o bad/x
check "  ... nothing left" only_files bad

# --- interrupted: SIGINT in the middle leaves nothing ------------------------------------------
mkdir intr
for i in $(seq 1 40); do cat "$SAMPLE"; done | awk -F'\t' -v OFS='\t' '{$1 = NR; print}' >intr.txt
for delay in 0.2 0.6; do
	"$AMBER" build -q --server "$SERVER" -f geonames intr.txt -o intr/i.tar --docker-archive intr/d.tar --db-out intr/x.db &
	pid=$!
	sleep $delay
	kill -INT $pid 2>/dev/null
	wait $pid
	status=$?
	check "SIGINT after ${delay}s: exits non-zero (or had finished)" test $status -ne 0 -o -f intr/i.tar
	check "SIGINT after ${delay}s: no temporaries" bash -c "[ -z \"\$(ls -A intr | grep -v -x -e i.tar -e d.tar -e x.db)\" ]"
	rm -f intr/*
done
# Once the database is checked, the layers are being written: stop it there.
"$AMBER" build --server "$SERVER" -f geonames intr.txt -o intr/i.tar --docker-archive intr/d.tar --db-out intr/x.db 2>intr.err >/dev/null &
pid=$!
for i in $(seq 1 200); do grep -q 'integrity check \.\.\. [0-9]' intr.err && break; sleep 0.02; done
kill -INT $pid 2>/dev/null
wait $pid
status=$?
check "SIGINT while writing layers: exits non-zero (or had finished)" test $status -ne 0 -o -f intr/i.tar
check "SIGINT while writing layers: no temporaries" bash -c "[ -z \"\$(ls -A intr | grep -v -x -e i.tar -e d.tar -e x.db)\" ]"

# --- verify catches every alteration ------------------------------------------------------------
# fresh copies of the sound layout; each test breaks one thing.
fresh() { rm -rf t && cp -r out/img t; }
rehash() { # rehash FILE: renames a blob to its new sha256 and prints the new digest
	local d; d=$(sha "$1"); mv "$1" "$(dirname "$1")/$d"; echo "sha256:$d"
}
# set_manifest JQ-FILTER: rewrites the manifest, then points index.json at the new one.
set_manifest() {
	local m n; m=$(blob t "$(manifest_of t)")
	jq -cj "$1" "$m" >m.new && rm "$m" && n=$(rehash_new m.new)
	jq -cj --arg d "$n" --argjson s "$(stat -c %s "$(blob t "$n")")" '.manifests[0].digest=$d | .manifests[0].size=$s' t/index.json >i.new && mv i.new t/index.json
}
rehash_new() { local d; d=$(sha "$1"); mv "$1" "t/blobs/sha256/$d"; echo "sha256:$d"; }

fresh; flip "$(blob t "$(layer_of t 0)")" 5000
check_fails "verify: a flipped byte in layer 1" "layer 1 of 2 .*sha256 is .*altered" "$AMBER" verify -q t
fresh; flip "$(blob t "$(layer_of t 1)")" 100
check_fails "verify: a flipped byte in layer 2" "layer 2 of 2 .*altered" "$AMBER" verify -q t
fresh; flip "$(blob t "$(config_of t)")" 20
check_fails "verify: a flipped byte in the config" "config sha256:.*altered" "$AMBER" verify -q t
fresh; flip "$(blob t "$(manifest_of t)")" 30
check_fails "verify: a flipped byte in the manifest" "manifest sha256:.*altered" "$AMBER" verify -q t
fresh; rm "$(blob t "$(layer_of t 1)")"
check_fails "verify: a missing layer blob" "layer 2 of 2 .*missing" "$AMBER" verify -q t
fresh; rm "$(blob t "$(config_of t)")"
check_fails "verify: a missing config blob" "config sha256:.*missing" "$AMBER" verify -q t
fresh; set_manifest '.layers[1].size += 1'
check_fails "verify: a wrong layer size in a consistent manifest" "layer 2 of 2 .*bytes, the manifest says" "$AMBER" verify -q t
fresh; c=$(blob t "$(config_of t)"); jq -cj '.rootfs.diff_ids[1] = "sha256:" + ("0" * 64)' "$c" >c.new && rm "$c" && nc=$(rehash_new c.new) && set_manifest ".config.digest = \"$nc\" | .config.size = $(stat -c %s "$(blob t "$nc")")"
check_fails "verify: a wrong diff_id in a consistent config" "layer 2 of 2 .*diff_id" "$AMBER" verify -q t
fresh; set_manifest '.layers[1].mediaType = "application/vnd.oci.image.layer.v1.tar"'
check_fails "verify: a media type that does not match the data" "media type says .* but the data is gzip" "$AMBER" verify -q t
# The database itself: rebuild layer 2 around an altered database, consistent digests and all.
fresh; mkdir -p alt/data && cp out/amber.db alt/data/amber.db && chmod u+w alt/data/amber.db && flip alt/data/amber.db 200000
tar --format=ustar --owner=0 --group=0 --numeric-owner --mtime=@0 -C alt -cf - data | gzip -n >l.new
c=$(blob t "$(config_of t)"); jq -cj --arg d "sha256:$(gzip -dc l.new | sha256sum | cut -c1-64)" '.rootfs.diff_ids[1] = $d' "$c" >c.new && rm "$c" && nc=$(rehash_new c.new)
rm "$(blob t "$(layer_of t 1)")"; nl=$(rehash_new l.new)
set_manifest ".config.digest = \"$nc\" | .config.size = $(stat -c %s "$(blob t "$nc")") | .layers[1].digest = \"$nl\" | .layers[1].size = $(stat -c %s "$(blob t "$nl")")"
check_fails "verify: an altered database in a consistent image" "amber.db: its sha256 is .*label says" "$AMBER" verify -q t
# In the archives: a flipped byte inside a blob of the hybrid tar and of the docker-archive.
cp out/img.tar t.tar
off=$(tar -tvR -f t.tar | awk -v n="$(layer_of out/img 1 | cut -c8-)" '$NF ~ n {sub(":", "", $2); print ($2 + 1) * 512 + 300}')
flip t.tar "$off"
check_fails "verify: a flipped byte in a layer inside the OCI archive" "layer 2 of 2 .*altered" "$AMBER" verify -q t.tar
cp out/img.docker.tar t.docker.tar
off=$(tar -tvR -f t.docker.tar | awk '$NF ~ /layer.tar$/ {sub(":", "", $2); b = $2} END {print (b + 1) * 512 + 700}')
flip t.docker.tar "$off"
check_fails "verify: a flipped byte in a docker-archive layer" "layer 2 of 2 .*diff_id" "$AMBER" verify -q t.docker.tar
head -c 100000 out/img.tar >cut.tar
check_fails "verify: a truncated archive" "truncated" "$AMBER" verify -q cut.tar

# --- extended: the full cities500 file, when ../shared is there -------------------------------
FULL=${AMBER_GEONAMES:-$ROOT/../shared/data/geonames/cities500.txt.zst}
if [ -f "$FULL" ]; then
	check "cities500: builds an OCI archive" "$AMBER" build -q --server "$SERVER" -f geonames "$FULL" -o full.tar --db-out full.db
	check "cities500: verify passes" "$AMBER" verify -q full.tar
	check "cities500: 199,568 rows in the label and in the database" test \
		"$("$AMBER" inspect --json full.tar | jq -r .tables[0].rows) $(sqlite3 "file:full.db?immutable=1" 'select count(*) from geoname')" = "199568 199568"
	check "cities500: a second build has the same manifest digest" test \
		"$("$AMBER" build -q --server "$SERVER" -f geonames "$FULL" -o full2.tar)" = "$(tar -xOf full.tar index.json | jq -r '.manifests[0].digest')"
else
	echo "SKIP cities500 extended build test: $FULL is absent"
fi

finish
