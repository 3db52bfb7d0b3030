/* k8s.c — `amber k8s IMAGE-REF`: a Kubernetes Deployment and Service for an amber image, as YAML
 * on stdout.
 *
 * The pods are what amberd needs and nothing more: no volumes (the database is in the image), a
 * read-only root file system, user 65534, no capabilities. Rolling updates never take a ready
 * pod away before its replacement is ready (maxUnavailable 0), so a refreshed image rolls out
 * with no downtime; the grace period covers amberd's drain on SIGTERM. With --image the
 * reference is pinned to the manifest digest and memory is sized from the database. */
#include "cmd/amber/cmds.h"
#include "core/buf.h"
#include "core/image.h"
#include "core/server.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: amber k8s IMAGE-REF [--replicas N] [--name NAME] [--port P] [--image FILE]\n"
    "\n"
    "Prints a Kubernetes Deployment and Service (YAML, two documents) that run the amber image\n"
    "IMAGE-REF (as a cluster pulls it: REGISTRY/REPO[:TAG][@sha256:...]). Apply with\n"
    "'amber k8s ... | kubectl apply -f -'.\n"
    "\n"
    "The pods: readiness on /readyz, liveness on /healthz, rolling updates with maxUnavailable 0\n"
    "and maxSurge 1, read-only root file system, user 65534, no privilege escalation, every\n"
    "capability dropped, no volumes, a grace period covering amberd's drain.\n"
    "\n"
    "options:\n"
    "      --image FILE   the image as built (OCI layout, OCI archive or docker-archive): pins\n"
    "                     IMAGE-REF to its manifest digest (REF@sha256:...) and sizes the memory\n"
    "                     request from its database (io.amber.db.size + 64 MiB)\n"
    "      --replicas N   pods (default 2)\n"
    "      --name NAME    Deployment and Service name (default: the repository's last path\n"
    "                     component, lowercased, other characters turned into '-')\n"
    "      --port P       container and Service port (default: the image's, else 8080)\n"
    "  -h, --help         this text\n"
    "\n"
    "Without --image the reference is used as given and the memory request is a default.\n"
    "\n"
    "example:\n"
    "  amber k8s registry.example.com/geo:2026-11 --image geo.tar --replicas 3 | kubectl apply -f -\n";

/* Memory beyond the database file: amberd's threads, SQLite's page caches and response
 * buffers. The database itself is read through the page cache (mmap), which the request
 * reserves so that the whole file stays cached. */
#define K8S_MEMORY_OVERHEAD_MIB 64
#define K8S_MEMORY_DEFAULT_MIB	256
#define K8S_CPU_REQUEST		"100m"
/* Seconds past the drain for the process to exit before Kubernetes kills it. */
#define K8S_GRACE_MARGIN_S 5
#define K8S_DNS_LABEL_MAX  63

struct k8s_ref {
	char repo[400];	  /* everything before the tag and digest */
	char tag[130];	  /* "" when none */
	char digest[100]; /* "sha256:..." or "" */
};

struct k8s_options {
	struct k8s_ref ref;
	char name[K8S_DNS_LABEL_MAX + 1];
	int replicas;
	int port;
	const char *image_path;
	/* from --image */
	char pinned_digest[OCI_DIGEST_LEN + 1]; /* "" when not pinned */
	char db_sha256[DIGEST_HEX_LEN + 1];
	uint64_t db_size;
	int has_db_size;
};

static int is_ref_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '-' || c == '/' || c == ':';
}

static int is_sha256_digest(const char *d)
{
	if (strncmp(d, OCI_DIGEST_PREFIX, strlen(OCI_DIGEST_PREFIX)) != 0)
		return 0;
	d += strlen(OCI_DIGEST_PREFIX);
	return strlen(d) == DIGEST_HEX_LEN && strspn(d, "0123456789abcdef") == DIGEST_HEX_LEN;
}

/* Registries refuse uppercase in repository paths; only the host (the first component, when it
 * has a '.' or ':' or is localhost) may have it. */
static int has_upper_in_path(const char *repo)
{
	const char *slash = strchr(repo, '/');
	const char *path = repo;
	if (slash && (memchr(repo, '.', (size_t)(slash - repo)) ||
		      memchr(repo, ':', (size_t)(slash - repo)) || strncmp(repo, "localhost/", 10) == 0))
		path = slash + 1;
	for (; *path; path++)
		if (*path >= 'A' && *path <= 'Z')
			return 1;
	return 0;
}

/* REPO[:TAG][@sha256:HEX]; the tag's colon is the last one after the last '/', so a registry's
 * :port is not a tag. Returns 0 or -1 (usage error printed). */
static int parse_ref(const char *text, struct k8s_ref *ref)
{
	memset(ref, 0, sizeof *ref);
	const char *at = strchr(text, '@');
	size_t n = at ? (size_t)(at - text) : strlen(text);
	if (n == 0 || n >= sizeof ref->repo)
		return -cmd_usage_error("k8s", "'%s' is not an image reference", text);
	for (size_t i = 0; i < n; i++)
		if (!is_ref_char(text[i]))
			return -cmd_usage_error("k8s", "'%s' is not an image reference (character '%c')",
						text, text[i]);
	if (at) {
		if (!is_sha256_digest(at + 1))
			return -cmd_usage_error(
			    "k8s", "'%s': a digest is sha256: and 64 lowercase hex digits", text);
		memcpy(ref->digest, at + 1, strlen(at + 1));
	}
	const char *slash = memrchr(text, '/', n), *colon = memrchr(text, ':', n);
	size_t repo_len = n;
	if (colon && (!slash || colon > slash)) {
		size_t tag_len = n - (size_t)(colon - text) - 1;
		if (tag_len == 0 || tag_len >= sizeof ref->tag)
			return -cmd_usage_error("k8s", "'%s' has an empty or too long tag", text);
		memcpy(ref->tag, colon + 1, tag_len);
		repo_len = (size_t)(colon - text);
	}
	if (repo_len == 0 || text[repo_len - 1] == '/' || text[0] == '/')
		return -cmd_usage_error("k8s", "'%s' is not an image reference", text);
	memcpy(ref->repo, text, repo_len);
	if (has_upper_in_path(ref->repo))
		return -cmd_usage_error("k8s",
					"'%s': repository names are lowercase (only a registry host may "
					"not be)",
					text);
	return 0;
}

/* The reference as the cluster pulls it: the digest wins over the tag, which is kept for people. */
static void format_ref(const struct k8s_options *o, char *out, size_t size)
{
	const char *digest = o->pinned_digest[0] ? o->pinned_digest : o->ref.digest;
	snprintf(out, size, "%s%s%s%s%s", o->ref.repo, o->ref.tag[0] ? ":" : "", o->ref.tag,
		 digest[0] ? "@" : "", digest);
}

/* A DNS-1035 label (what a Service name must be): [a-z]([-a-z0-9]*[a-z0-9])?, at most 63. */
static int is_dns_label(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > K8S_DNS_LABEL_MAX || !(s[0] >= 'a' && s[0] <= 'z') || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* The repository's last path component made a DNS label: lowercase, runs of other characters
 * turned into one '-', trimmed; "amber-" in front when it does not start with a letter. */
static void name_from_repo(const char *repo, char *out, size_t size)
{
	const char *slash = strrchr(repo, '/');
	const char *s = slash ? slash + 1 : repo;
	char tmp[K8S_DNS_LABEL_MAX * 2 + 8];
	size_t n = 0;
	for (; *s && n < sizeof tmp - 1; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (ok)
			tmp[n++] = c;
		else if (n > 0 && tmp[n - 1] != '-')
			tmp[n++] = '-';
	}
	tmp[n] = '\0';
	const char *prefix = tmp[0] >= 'a' && tmp[0] <= 'z' ? "" : "amber-";
	size_t len = 0;
	for (const char *p = prefix; *p && len < size - 1; p++)
		out[len++] = *p;
	for (const char *p = tmp; *p && len < size - 1; p++)
		out[len++] = *p;
	while (len > 0 && out[len - 1] == '-')
		len--;
	out[len] = '\0';
}

static int parse_number(const char *arg, long lo, long hi, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* The first exposed port of the image's config ("8080/tcp" → 8080), or 0. */
static int image_port(const struct image *img)
{
	json_t *ports = json_object_get(json_object_get(img->config, "config"), "ExposedPorts");
	const char *key;
	json_t *v;
	json_object_foreach(ports, key, v)
	{
		int port = atoi(key);
		if (port > 0 && port < 65536)
			return port;
	}
	return 0;
}

/* Reads what --image tells: the manifest digest, the database's size and sha256, the port. */
static int read_image(struct k8s_options *o, int port_given)
{
	struct image img;
	struct amber_error err = {0};
	int rc = -1;
	if (image_open(o->image_path, &img, &err) < 0) {
		amber_error_print(&err, "amber k8s", stderr);
		goto out; /* image_close frees what a failed open holds */
	}
	if (o->ref.digest[0] && img.manifest_digest[0] && strcmp(o->ref.digest, img.manifest_digest) != 0) {
		fprintf(stderr, "amber k8s: the reference names %s but %s has manifest %s\n", o->ref.digest,
			o->image_path, img.manifest_digest);
		goto out;
	}
	snprintf(o->pinned_digest, sizeof o->pinned_digest, "%s", img.manifest_digest);
	const char *size = image_label(&img, "io.amber.db.size");
	char *end;
	if (size && *size) {
		unsigned long long v = strtoull(size, &end, 10);
		o->has_db_size = *end == '\0';
		o->db_size = v;
	}
	const char *sha = image_label(&img, "io.amber.db.sha256");
	if (sha && strlen(sha) == DIGEST_HEX_LEN)
		snprintf(o->db_sha256, sizeof o->db_sha256, "%s", sha);
	if (!port_given && image_port(&img))
		o->port = image_port(&img);
	rc = 0;
out:
	image_close(&img);
	return rc;
}

static uint64_t memory_request_mib(const struct k8s_options *o)
{
	if (!o->has_db_size)
		return K8S_MEMORY_DEFAULT_MIB;
	return (o->db_size + (1u << 20) - 1) / (1u << 20) + K8S_MEMORY_OVERHEAD_MIB;
}

static void yaml_labels(struct buf *y, const char *indent, const struct k8s_options *o)
{
	buf_addf(y, "%sapp.kubernetes.io/name: %s\n", indent, o->name);
	buf_addf(y, "%sapp.kubernetes.io/managed-by: amber\n", indent);
}

static void yaml_header(struct buf *y, const struct k8s_options *o, const char *image)
{
	buf_addf(y, "# Made by amber %s: the image %s\n", AMBER_VERSION, image);
	if (o->pinned_digest[0])
		buf_addf(y, "# pinned to the manifest digest of %s\n", o->image_path);
	else if (o->image_path && !o->ref.digest[0])
		buf_addf(y, "# not pinned: %s is a docker-archive, which has no manifest digest\n",
			 o->image_path);
	if (o->has_db_size)
		buf_addf(y, "# memory request: the database (%llu bytes) + %d MiB for amberd\n",
			 (unsigned long long)o->db_size, K8S_MEMORY_OVERHEAD_MIB);
	else
		buf_addf(y,
			 "# memory request: a default of %d MiB; give --image FILE to size it from the "
			 "database\n",
			 K8S_MEMORY_DEFAULT_MIB);
}

static void yaml_security(struct buf *y)
{
	buf_adds(y, "          securityContext:\n"
		    "            readOnlyRootFilesystem: true\n"
		    "            runAsNonRoot: true\n"
		    "            runAsUser: 65534\n"
		    "            runAsGroup: 65534\n"
		    "            allowPrivilegeEscalation: false\n"
		    "            capabilities:\n"
		    "              drop: [\"ALL\"]\n");
}

static void yaml_probes(struct buf *y)
{
	/* Readiness is probed often: /readyz turns 503 as soon as a drain starts. */
	buf_adds(y, "          readinessProbe:\n"
		    "            httpGet: {path: /readyz, port: http}\n"
		    "            periodSeconds: 2\n"
		    "            failureThreshold: 1\n"
		    "          livenessProbe:\n"
		    "            httpGet: {path: /healthz, port: http}\n"
		    "            periodSeconds: 10\n"
		    "            failureThreshold: 3\n");
}

static void yaml_container(struct buf *y, const struct k8s_options *o, const char *image, int drain_ms)
{
	buf_addf(y,
		 "      containers:\n"
		 "        - name: amberd\n"
		 "          image: \"%s\"\n"
		 "          imagePullPolicy: IfNotPresent\n"
		 "          ports:\n"
		 "            - {name: http, containerPort: %d, protocol: TCP}\n"
		 "          env:\n"
		 "            - {name: AMBER_LISTEN, value: \"0.0.0.0:%d\"}\n"
		 "            - {name: AMBER_DRAIN_TIMEOUT_MS, value: \"%d\"}\n",
		 image, o->port, o->port, drain_ms);
	yaml_probes(y);
	buf_addf(y,
		 "          resources:\n"
		 "            requests:\n"
		 "              cpu: %s\n"
		 "              memory: %lluMi\n",
		 K8S_CPU_REQUEST, (unsigned long long)memory_request_mib(o));
	yaml_security(y);
}

static void yaml_deployment(struct buf *y, const struct k8s_options *o, const char *image)
{
	struct server_config cfg;
	server_config_init(&cfg);
	int grace_s = (cfg.drain_timeout_ms + 999) / 1000 + K8S_GRACE_MARGIN_S;
	buf_addf(y, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  labels:\n", o->name);
	yaml_labels(y, "    ", o);
	buf_addf(y,
		 "spec:\n"
		 "  replicas: %d\n"
		 "  selector:\n"
		 "    matchLabels:\n"
		 "      app.kubernetes.io/name: %s\n"
		 "  strategy:\n"
		 "    type: RollingUpdate\n"
		 "    rollingUpdate:\n"
		 "      maxUnavailable: 0\n"
		 "      maxSurge: 1\n"
		 "  template:\n"
		 "    metadata:\n"
		 "      labels:\n",
		 o->replicas, o->name);
	yaml_labels(y, "        ", o);
	if (o->db_sha256[0])
		buf_addf(y, "      annotations:\n        io.amber.db.sha256: \"%s\"\n", o->db_sha256);
	buf_addf(y,
		 "    spec:\n"
		 "      # amberd drains for %d ms on SIGTERM; the rest is for the process to exit.\n"
		 "      terminationGracePeriodSeconds: %d\n"
		 "      automountServiceAccountToken: false\n"
		 "      securityContext:\n"
		 "        runAsNonRoot: true\n"
		 "        runAsUser: 65534\n"
		 "        runAsGroup: 65534\n"
		 "        seccompProfile: {type: RuntimeDefault}\n",
		 cfg.drain_timeout_ms, grace_s);
	yaml_container(y, o, image, cfg.drain_timeout_ms);
}

static void yaml_service(struct buf *y, const struct k8s_options *o)
{
	buf_addf(y, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  labels:\n", o->name);
	yaml_labels(y, "    ", o);
	buf_addf(y,
		 "spec:\n"
		 "  selector:\n"
		 "    app.kubernetes.io/name: %s\n"
		 "  ports:\n"
		 "    - {name: http, port: %d, targetPort: http, protocol: TCP}\n",
		 o->name, o->port);
}

enum { OPT_REPLICAS = 256, OPT_NAME, OPT_PORT, OPT_IMAGE };

static const struct option k8s_longopts[] = {
    {"replicas", required_argument, NULL, OPT_REPLICAS},
    {"name", required_argument, NULL, OPT_NAME},
    {"port", required_argument, NULL, OPT_PORT},
    {"image", required_argument, NULL, OPT_IMAGE},
    {"help", no_argument, NULL, 'h'},
    {0},
};

/* Options into `o`; the reference stays in argv[optind]. 0, 1 after --help, or 2 after a usage
 * error. */
static int parse_options(int argc, char **argv, struct k8s_options *o, int *port_given)
{
	const char *name = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", k8s_longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return 1;
		case OPT_REPLICAS:
			if (parse_number(optarg, 0, 1000, &o->replicas) < 0)
				return cmd_usage_error(
				    "k8s", "--replicas takes a number from 0 to 1000, not '%s'", optarg);
			break;
		case OPT_NAME:
			name = optarg;
			break;
		case OPT_PORT:
			if (parse_number(optarg, 1, 65535, &o->port) < 0)
				return cmd_usage_error(
				    "k8s", "--port takes a number from 1 to 65535, not '%s'", optarg);
			*port_given = 1;
			break;
		case OPT_IMAGE:
			o->image_path = optarg;
			break;
		default:
			return cmd_usage_error("k8s", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error("k8s", "give exactly one IMAGE-REF");
	if (parse_ref(argv[optind], &o->ref) < 0)
		return 2;
	if (name && !is_dns_label(name))
		return cmd_usage_error("k8s",
				       "--name '%s' is not a DNS label (a-z first, then a-z, 0-9 and '-', at "
				       "most 63)",
				       name);
	if (name)
		snprintf(o->name, sizeof o->name, "%s", name);
	else
		name_from_repo(o->ref.repo, o->name, sizeof o->name);
	if (!is_dns_label(o->name))
		return cmd_usage_error("k8s", "cannot make a name from '%s'; give --name", o->ref.repo);
	return 0;
}

int cmd_k8s(int argc, char **argv)
{
	struct k8s_options o = {.replicas = 2, .port = 8080};
	int port_given = 0;
	int rc = parse_options(argc, argv, &o, &port_given);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (o.image_path && read_image(&o, port_given) < 0)
		return 1;
	char image[sizeof o.ref.repo + sizeof o.ref.tag + sizeof o.ref.digest + 4];
	format_ref(&o, image, sizeof image);
	struct buf y = BUF_INIT;
	yaml_header(&y, &o, image);
	yaml_deployment(&y, &o, image);
	yaml_service(&y, &o);
	int ok = fwrite(y.data, 1, y.len, stdout) == y.len && fflush(stdout) == 0;
	buf_free(&y);
	if (!ok) {
		perror("amber k8s: stdout");
		return 1;
	}
	return 0;
}
