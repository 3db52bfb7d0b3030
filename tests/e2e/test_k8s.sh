#!/usr/bin/env bash
# test_k8s.sh — `amber k8s`: the Deployment and Service it prints for images built from the
# GeoNames sample, parsed as YAML (yq, Debian package yq, over python3-yaml) and checked field by
# field: pinning to the manifest digest, memory from the database size, probes, rollout strategy,
# security context, no volumes, ports, grace period against amberd's drain; and refusals.
#
# `kubectl apply --dry-run=client` is not used: even with --validate=false it asks an API server
# for the resource mappings, and the tests run with no cluster.
. "$(dirname "$0")/lib.sh"
SAMPLE=$ROOT/samples/geonames/cities500-extract.txt
SERVER=$ROOT/bin/amberd
cd "$WORK"
command -v yq >/dev/null || { echo "not ok - yq is missing (apt-get install yq)"; exit 1; }

"$AMBER" build -q --server "$SERVER" -f geonames "$SAMPLE" -t geo:1 -o img --db-out amber.db \
	--docker-archive img.docker.tar >/dev/null
"$AMBER" build -q --server "$SERVER" -f geonames "$SAMPLE" -t geo:1 -o img.tar >/dev/null
MANIFEST=$(jq -r '.manifests[0].digest' img/index.json)
DB_SIZE=$(stat -c %s amber.db)
REF=registry.example.com:5000/team/geo_names:2026-11
# DRAIN: amberd's default drain in ms, as its --help states it.
DRAIN=$("$SERVER" --help | sed -n 's/.*--drain-timeout-ms N.*\[\([0-9]*\)\].*/\1/p')

"$AMBER" k8s "$REF" --image img --replicas 3 >layout.yaml
# q FILE FILTER: the documents of FILE as a JSON array, through jq FILTER, compact.
q() { yq -s -c "$2" "$1"; }
D='.[0]'
C='.[0].spec.template.spec.containers[0]'

check "two documents: a Deployment and a Service, both named from the repository" test \
	"$(q layout.yaml '[.[] | [.apiVersion, .kind, .metadata.name]]')" = '[["apps/v1","Deployment","geo-names"],["v1","Service","geo-names"]]'
check "the image is the reference pinned to the manifest digest, tag kept" test \
	"$(q layout.yaml "$C.image")" = "\"$REF@$MANIFEST\""
check "an OCI archive pins the same digest" bash -c "'$AMBER' k8s '$REF' --image img.tar | yq -s -r '$C.image' | grep -qx '$REF@$MANIFEST'"
check "replicas, selector matching the pod labels" test \
	"$(q layout.yaml "[$D.spec.replicas, ($D.spec.selector.matchLabels | to_entries | all(.value == \"geo-names\")), ($D.spec.template.metadata.labels[\"app.kubernetes.io/name\"])]")" = '[3,true,"geo-names"]'
check "rolling update: maxUnavailable 0, maxSurge 1" test \
	"$(q layout.yaml "$D.spec.strategy")" = '{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}'
check "readiness probe on /readyz, liveness on /healthz, both on the http port" test \
	"$(q layout.yaml "[$C.readinessProbe.httpGet.path, $C.livenessProbe.httpGet.path, $C.readinessProbe.httpGet.port, $C.livenessProbe.httpGet.port, $C.ports[0].name]")" = \
	'["/readyz","/healthz","http","http","http"]'
check "container security: read-only root, user 65534, non-root, no escalation, no capabilities" test \
	"$(q layout.yaml "$C.securityContext | [.readOnlyRootFilesystem, .runAsNonRoot, .runAsUser, .allowPrivilegeEscalation, .capabilities.drop]")" = \
	'[true,true,65534,false,["ALL"]]'
check "pod security: non-root user 65534" test \
	"$(q layout.yaml "$D.spec.template.spec.securityContext | [.runAsNonRoot, .runAsUser]")" = '[true,65534]'
check "no volumes and no volume mounts anywhere" test \
	"$(q layout.yaml '[.. | objects | select(has("volumes") or has("volumeMounts"))] | length')" = 0
check "memory request: the database size in MiB (rounded up) + 64, from the image's label" test \
	"$(q layout.yaml "$C.resources.requests.memory")" = "\"$(((DB_SIZE + 1048575) / 1048576 + 64))Mi\""
check "  ... and a CPU request" test "$(q layout.yaml "$C.resources.requests.cpu")" = '"100m"'
check "  ... the comment says how it was sized" grep -q "^# memory request: the database ($DB_SIZE bytes) + 64 MiB" layout.yaml
check "amberd's drain is known ($DRAIN ms)" test -n "$DRAIN"
check "grace period covers the drain, set explicitly in the environment, with a margin under 30 s" test \
	"$(q layout.yaml "[$D.spec.template.spec.terminationGracePeriodSeconds > ($DRAIN / 1000), $D.spec.template.spec.terminationGracePeriodSeconds < 30, ($C.env[] | select(.name == \"AMBER_DRAIN_TIMEOUT_MS\") | .value)]")" = \
	"[true,true,\"$DRAIN\"]"
check "port 8080 by default: container, listen address, Service" test \
	"$(q layout.yaml "[$C.ports[0].containerPort, ($C.env[] | select(.name == \"AMBER_LISTEN\") | .value), .[1].spec.ports[0].port, .[1].spec.ports[0].targetPort]")" = \
	'[8080,"0.0.0.0:8080",8080,"http"]'
check "the Service selects the pods" test "$(q layout.yaml '.[1].spec.selector["app.kubernetes.io/name"]')" = '"geo-names"'
check "the database sha256 is a pod annotation (a new database rolls the pods)" test \
	"$(q layout.yaml "$D.spec.template.metadata.annotations[\"io.amber.db.sha256\"]")" = "\"$(sha256sum amber.db | cut -c1-64)\""

"$AMBER" k8s geo:1 --port 9000 --name places --replicas 1 >plain.yaml
check "without --image: the reference as given, a default memory request with a comment" bash -c \
	"[ \"\$(yq -s -c '[$C.image, $C.resources.requests.memory]' plain.yaml)\" = '[\"geo:1\",\"256Mi\"]' ] && grep -q '^# memory request: a default' plain.yaml"
check "--port and --name: container, listen address and Service follow" test \
	"$(q plain.yaml "[.[].metadata.name, $C.ports[0].containerPort, ($C.env[] | select(.name == \"AMBER_LISTEN\") | .value), .[1].spec.ports[0].port, $D.spec.replicas]")" = \
	'["places","places",9000,"0.0.0.0:9000",9000,1]'
check "a docker-archive sizes memory but cannot pin (and says so)" bash -c \
	"'$AMBER' k8s '$REF' --image img.docker.tar >docker.yaml && [ \"\$(yq -s -r '$C.image' docker.yaml)\" = '$REF' ] && grep -q '^# not pinned' docker.yaml && [ \"\$(yq -s -r '$C.resources.requests.memory' docker.yaml)\" != 256Mi ]"
check "a reference that already carries the image's digest is kept" test \
	"$("$AMBER" k8s "$REF@$MANIFEST" --image img | yq -s -r "$C.image")" = "$REF@$MANIFEST"
check "names are made DNS labels: lowercase, '-' for other characters, a letter first" test \
	"$("$AMBER" k8s Localhost:5000/team/9_geo..names | yq -s -r "$D.metadata.name")" = amber-9-geo-names

check_fails "a digest other than the image's is refused" "manifest" "$AMBER" k8s "geo@sha256:$(printf '0%.0s' {1..64})" --image img
check_fails "an uppercase repository is refused" "lowercase" "$AMBER" k8s team/Geo:1
check_fails "a malformed reference is refused" "not an image reference" "$AMBER" k8s 'geo name'
check_fails "a bad --name is refused" "DNS label" "$AMBER" k8s geo --name Geo_1
check_fails "a bad --replicas is refused" "--replicas" "$AMBER" k8s geo --replicas many
check_fails "a missing --image file is refused" "cannot open|No such" "$AMBER" k8s geo --image nothing
check_fails "no reference is refused" "IMAGE-REF" "$AMBER" k8s

finish
