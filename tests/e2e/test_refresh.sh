#!/usr/bin/env bash
# test_refresh.sh — the refresh loop end to end: a MariaDB master holding the catalog sample, a
# local docker-registry, and scripts/refresh.sh turning the master's dump into an image in the
# registry and a Kubernetes rollout pinned to its digest. Then: an unchanged master gives the
# same digest and nothing to roll out; a change on the master gives a new digest, pushed. The
# images are pulled back with skopeo and verified. Both servers run on 127.0.0.1 (free ports)
# and are stopped by this test, by PID.
. "$(dirname "$0")/lib.sh"
. "$ROOT/scripts/sqlservers.sh"
set +e

for tool in mariadbd docker-registry skopeo jq; do
	if ! command -v "$tool" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$tool" ]; then
		not_ok "$tool is installed (scripts/deps.sh installs it)"
		finish
		exit 1
	fi
done

REG_PID=
cleanup() {
	[ -n "$REG_PID" ] && stop_pid "$REG_PID"
	stop_sql_servers "$WORK/sql" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# The master: MariaDB with the catalog sample loaded from its mysqldump.
start_mariadb "$WORK/sql" 2>/dev/null
load_catalog() { mdb -e 'CREATE DATABASE catalog' && mdb catalog <"$ROOT/samples/catalog/catalog.sql"; }
check "the master (MariaDB) holds the catalog sample" load_catalog

# The registry.
REG_PORT=$(free_port)
mkdir -p "$WORK/registry"
cat >"$WORK/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $WORK/registry/data
http:
  addr: 127.0.0.1:$REG_PORT
  secret: amber-test-refresh
EOF
docker-registry serve "$WORK/registry/config.yml" >"$WORK/registry/log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$REG_PORT/v2/" && break; sleep 0.1; done
check "docker-registry serves on 127.0.0.1:$REG_PORT" curl -sf -o /dev/null "http://127.0.0.1:$REG_PORT/v2/"

REPO=amber/catalog
REF=127.0.0.1:$REG_PORT/$REPO
refresh() {
	AMBER=$AMBER "$ROOT/scripts/refresh.sh" --master "mariadb://root@127.0.0.1:$MARIADB_PORT/catalog" \
		--socket "$MARIADB_SOCKET" --registry "127.0.0.1:$REG_PORT" --repo "$REPO" \
		--queries "$ROOT/samples/catalog/queries.sql" --state "$WORK/state" --timings "$WORK/timings" \
		>"$WORK/refresh.out" 2>"$WORK/refresh.err"
}
registry_digest() { skopeo inspect --tls-verify=false "docker://$REF:$1" | jq -r .Digest; }

# 1. The first refresh pushes.
check "refresh.sh: dump → build → push → k8s" refresh
first=$(sed -n 's/.*@\(sha256:[0-9a-f]*\)$/\1/p' "$WORK/refresh.out")
check "  it prints REF:TAG@DIGEST of the new image" test -n "$first"
check "  the registry's :latest is that digest" test "$(registry_digest latest)" = "$first"
check "  and so is :sha-<12 hex>" test "$(registry_digest "sha-${first:7:12}")" = "$first"
k8s_image() { yq -r 'select(.kind == "Deployment") | .spec.template.spec.containers[0].image' "$WORK/state/k8s.yaml"; }
check "  the manifest pins the image by digest" test "$(k8s_image)" = "$REF:sha-${first:7:12}@$first"
check "  it reports each step's time" grep -Eq 'change → registry in [0-9.]+ s \(dump [0-9.]+, build [0-9.]+, push [0-9.]+\)' "$WORK/refresh.err"
check "  pulled back with skopeo, the image keeps its digest" \
	skopeo copy -q --preserve-digests --src-tls-verify=false "docker://$REF:latest" "oci:$WORK/back:catalog"
check "  and amber verify passes on it (every blob, diff_id and the database)" "$AMBER" verify -q "$WORK/back"
check "  its manifest digest is the pushed one" \
	test "$("$AMBER" inspect --json "$WORK/back" | jq -r .manifest_digest)" = "$first"
check "  its canned queries came along (io.amber.queries label)" \
	bash -c "'$AMBER' inspect --json '$WORK/back' | jq -e '.labels[\"io.amber.queries\"] | length > 0'"

# 2. An unchanged master: the same digest, nothing pushed.
check "refresh.sh on an unchanged master succeeds" refresh
check "  it says there is nothing to roll out" grep -q "nothing to roll out" "$WORK/refresh.err"
check "  the image it built has the same digest" \
	test "$("$AMBER" inspect --json "$WORK/state/image.tar" | jq -r .manifest_digest)" = "$first"
check "  the registry still has it as :latest" test "$(registry_digest latest)" = "$first"

# 3. A change committed on the master: a new digest, pushed.
mdb catalog -e "INSERT INTO providers (slug, name, country) VALUES ('refresh-test', 'Refresh Test', 'CL')"
check "refresh.sh after a change on the master" refresh
second=$(sed -n 's/.*@\(sha256:[0-9a-f]*\)$/\1/p' "$WORK/refresh.out")
check "  a new digest" test -n "$second" -a "$second" != "$first"
check "  the registry's :latest moved to it" test "$(registry_digest latest)" = "$second"
check "  the old image is still there by its tag" test "$(registry_digest "sha-${first:7:12}")" = "$first"
check "  the rollout manifest names the new digest" test "$(k8s_image)" = "$REF:sha-${second:7:12}@$second"
check "  the new database has the new row" \
	bash -c "'$AMBER' inspect --json '$WORK/state/image.tar' | jq -e '.labels[\"io.amber.table.providers.rows\"] | tonumber > 0'"
check "  timings recorded: one pushed, one unchanged, one pushed" \
	test "$(awk '{ print $6 }' "$WORK/timings" | tr '\n' ' ')" = "pushed unchanged pushed "

# 4. A master that cannot be reached: an error, nothing replaced.
cp "$WORK/state/image.tar" "$WORK/image.before"
check_fails "refresh.sh with a wrong master fails and says so" "the dump of .* failed" \
	env AMBER="$AMBER" "$ROOT/scripts/refresh.sh" --master "mariadb://root@127.0.0.1:1/catalog" \
	--registry "127.0.0.1:$REG_PORT" --repo "$REPO" --state "$WORK/state"
check "  the last image is left as it was" cmp -s "$WORK/image.before" "$WORK/state/image.tar"

finish
