#!/usr/bin/env bash
# test_consumers.sh — the images `amber build` writes, checked by real third-party consumers
# without any daemon: skopeo (inspect, copy), umoci (unpack, strict diff_id/size checks) and
# oci-image-tool, plus amber verify on deliberately broken copies. It runs
# scripts/test-runtimes.sh --quick and passes its output through ("ok - ", "FAIL - ",
# "SKIP - " lines, then "N passed, M failed"). `make test-runtimes` runs the full set, with
# runc, podman, containerd, dockerd and a local registry.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
missing=""
for t in skopeo umoci oci-image-tool; do command -v $t >/dev/null 2>&1 || missing="$missing $t"; done
if [ "$missing" = " skopeo umoci oci-image-tool" ]; then
	echo "SKIP - consumer tests: skopeo, umoci and oci-image-tool are not installed (scripts/deps.sh installs them)"
	echo "0 passed, 0 failed"
	exit 0
fi
[ -n "$missing" ] && echo "# not installed:$missing (scripts/deps.sh installs them); their checks are skipped"
exec "$ROOT/scripts/test-runtimes.sh" --quick
