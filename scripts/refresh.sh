#!/usr/bin/env bash
# refresh.sh — one turn of the refresh loop: the master database's dump becomes a new image in
# a registry, and a Kubernetes rollout for it.
#
#   scripts/refresh.sh --master URL --registry HOST:PORT --repo NAME [options]
#
#   --master URL      mariadb://USER@HOST:PORT/DB  or  postgres://USER@HOST:PORT/DB
#                     (MariaDB/MySQL through mariadb-dump or mysqldump; PostgreSQL through pg_dump)
#   --socket PATH     reach the master through this unix socket (MariaDB) or socket directory
#                     (PostgreSQL) instead of HOST:PORT
#   --registry H:P    the registry to push to (plain HTTP on loopback: --insecure is implied for
#                     127.0.0.1 and localhost)
#   --repo NAME       repository in the registry, e.g. amber/catalog
#   --queries FILE    canned queries to bake in (amber build --queries)
#   --state DIR       where the dump, the image and the manifests are kept (default
#                     build/refresh/<repo with / as _>)
#   --replicas N      passed to amber k8s (default 2)
#   --timings FILE    append "dump_s build_s push_s total_s digest" for benchmarks
#
# Steps: dump the master (deterministic flags: no dump date, a fixed \restrict key) → amber
# build (SOURCE_DATE_EPOCH defaults to 0, so equal dumps give equal images) → compare the
# manifest digest with what REPO:latest has in the registry → when it differs, skopeo copy
# --preserve-digests to REPO:sha-<12 hex> and REPO:latest → amber k8s pinned to the digest,
# written to STATE/k8s.yaml. An unchanged master gives the same digest, and the script says
# there is nothing to roll out (exit 0, nothing pushed). Each step's time goes to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AMBER=${AMBER:-$ROOT/bin/amber}
die() { echo "refresh: $*" >&2; exit 1; }
usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

master="" socket="" registry="" repo="" queries="" state="" replicas=2 timings=""
while [ $# -gt 0 ]; do
	case $1 in
	--master) master=${2:?}; shift 2 ;;
	--socket) socket=${2:?}; shift 2 ;;
	--registry) registry=${2:?}; shift 2 ;;
	--repo) repo=${2:?}; shift 2 ;;
	--queries) queries=${2:?}; shift 2 ;;
	--state) state=${2:?}; shift 2 ;;
	--replicas) replicas=${2:?}; shift 2 ;;
	--timings) timings=${2:?}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "refresh: unknown argument '$1'" >&2; usage ;;
	esac
done
[ -n "$master" ] && [ -n "$registry" ] && [ -n "$repo" ] || usage
[ -x "$AMBER" ] || die "$AMBER not found (run make)"
command -v skopeo >/dev/null || die "skopeo not found (scripts/deps.sh installs it)"

# mariadb://USER@HOST:PORT/DB → scheme user host port db
[[ $master =~ ^(mariadb|mysql|postgres|postgresql)://(([^@/]+)@)?([^:/]*)(:([0-9]+))?/([^/?]+)$ ]] ||
	die "--master must look like mariadb://USER@HOST:PORT/DB or postgres://USER@HOST:PORT/DB"
scheme=${BASH_REMATCH[1]} user=${BASH_REMATCH[3]} host=${BASH_REMATCH[4]:-127.0.0.1}
port=${BASH_REMATCH[6]} db=${BASH_REMATCH[7]}
state=${state:-$ROOT/build/refresh/${repo//\//_}}
mkdir -p "$state"
tls=()
case $registry in 127.0.0.1:* | localhost:* | "[::1]":*) tls=(--dest-tls-verify=false) ;; esac

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(now)
# 1. dump, to a temporary name first: a failed dump never replaces the last good one.
case $scheme in
mariadb | mysql)
	dumper=$(command -v mariadb-dump || command -v mysqldump) || die "mariadb-dump/mysqldump not found"
	args=(--no-defaults --single-transaction --skip-dump-date --routines --triggers -u "${user:-root}")
	if [ -n "$socket" ]; then args+=(--socket "$socket"); else args+=(-h "$host" ${port:+-P "$port"} --protocol=TCP); fi
	"$dumper" "${args[@]}" "$db" >"$state/dump.sql.tmp" || die "the dump of $master failed"
	format=mysql
	;;
postgres | postgresql)
	command -v pg_dump >/dev/null || die "pg_dump not found"
	args=(-U "${user:-postgres}" -h "${socket:-$host}" ${port:+-p "$port"})
	# A fixed \restrict key (pg_dump 15.14+ writes a random one otherwise), so equal data dumps
	# to equal bytes.
	if pg_dump --help | grep -q -- --restrict-key; then args+=(--restrict-key=amberrefresh); fi
	pg_dump "${args[@]}" "$db" >"$state/dump.sql.tmp" || die "the dump of $master failed"
	format=postgres
	;;
esac
mv "$state/dump.sql.tmp" "$state/dump.sql"
t1=$(now)
echo "refresh: dumped $db ($(du -h "$state/dump.sql" | cut -f1)) in $(secs "$t0" "$t1") s" >&2

# 2. build
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}
ref=$registry/$repo
"$AMBER" build -q --format "$format" "$state/dump.sql" ${queries:+--queries "$queries"} \
	-t "$ref:latest" -o "$state/image.tar" --force >/dev/null
digest=$("$AMBER" inspect --json "$state/image.tar" | jq -r .manifest_digest)
[[ $digest == sha256:* ]] || die "cannot read the manifest digest of $state/image.tar"
t2=$(now)
echo "refresh: built $digest in $(secs "$t1" "$t2") s" >&2

# 3. push, unless the registry already has it
current=$(skopeo inspect "${tls[@]/dest-/}" "docker://$ref:latest" 2>/dev/null | jq -r .Digest || true)
if [ "$current" = "$digest" ]; then
	t3=$(now)
	echo "refresh: nothing to roll out: $ref:latest is already $digest" >&2
	[ -z "$timings" ] || echo "$(secs "$t0" "$t1") $(secs "$t1" "$t2") 0 $(secs "$t0" "$t3") $digest unchanged" >>"$timings"
	exit 0
fi
tag=sha-${digest:7:12}
skopeo copy -q --preserve-digests "${tls[@]}" "oci-archive:$state/image.tar" "docker://$ref:$tag"
skopeo copy -q --preserve-digests "${tls[@]}" "oci-archive:$state/image.tar" "docker://$ref:latest"
t3=$(now)
echo "refresh: pushed $ref:$tag and :latest in $(secs "$t2" "$t3") s" >&2

# 4. the rollout
"$AMBER" k8s "$ref:$tag" --image "$state/image.tar" --replicas "$replicas" >"$state/k8s.yaml.tmp"
mv "$state/k8s.yaml.tmp" "$state/k8s.yaml"
echo "refresh: new image $ref:$tag@$digest; roll it out with: kubectl apply -f $state/k8s.yaml" >&2
echo "refresh: change → registry in $(secs "$t0" "$t3") s (dump $(secs "$t0" "$t1"), build $(secs "$t1" "$t2"), push $(secs "$t2" "$t3"))" >&2
[ -z "$timings" ] || echo "$(secs "$t0" "$t1") $(secs "$t1" "$t2") $(secs "$t2" "$t3") $(secs "$t0" "$t3") $digest pushed" >>"$timings"
echo "$ref:$tag@$digest"
