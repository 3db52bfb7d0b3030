#!/usr/bin/env bash
# deps.sh — installs every build, test and benchmark dependency of amber from Debian packages.
# Safe to re-run. With --if-missing it does nothing (and needs no root) when all are present.
# With --runtimes it also installs the container runtimes that scripts/test-runtimes.sh
# (make test-runtimes) drives: runc, podman, containerd, docker.io, uidmap.
# MariaDB and docker-registry are test dependencies (tests/e2e/test_refresh.sh: a master and a
# registry on loopback). With --sql-servers it also installs PostgreSQL, which
# scripts/make-fixtures.sh and the dump benchmarks (through scripts/sqlservers.sh) dump from.
set -euo pipefail

packages=(
	build-essential clang libclang-rt-14-dev clang-format
	libsqlite3-dev sqlite3 libarchive-dev libzstd-dev zlib1g-dev nettle-dev libjansson-dev libcmocka-dev
	zstd pigz gzip xz-utils bzip2 time curl wrk nginx-light
	skopeo umoci oci-image-tool jq yq unzip bsdextrautils
	mariadb-server mariadb-client docker-registry
)

if_missing=0
for arg in "$@"; do
	case $arg in
	--if-missing) if_missing=1 ;;
	--runtimes) packages+=(runc podman containerd docker.io uidmap) ;;
	--sql-servers) packages+=(postgresql postgresql-client) ;;
	*) echo "usage: deps.sh [--if-missing] [--runtimes] [--sql-servers]" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ $if_missing -eq 1 ] && [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
[ ${#missing[@]} -eq 0 ] && missing=("${packages[@]}")

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
