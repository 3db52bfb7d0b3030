/* oci.c — OCI and docker-archive documents, references and media types (see oci.h). */
#include "formats/oci.h"
#include "formats/json.h"

#include <string.h>
#include <sys/utsname.h>
#include <time.h>

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ ((. | _ | __ | -+) [a-z0-9]+)* */
static int component_ok(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return 0;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		size_t sep = i;
		while (i < n && !is_lower_alnum(s[i]))
			i++;
		size_t len = i - sep;
		int dashes = strspn(s + sep, "-") >= len;
		if (!(dashes || (len == 1 && (s[sep] == '.' || s[sep] == '_')) ||
		      (len == 2 && s[sep] == '_' && s[sep + 1] == '_')))
			return 0;
	}
	return 1;
}

/* A registry host: letters, digits, '.', '-', optionally ":port". */
static int host_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t host = colon ? (size_t)(colon - s) : n;
	if (host == 0)
		return 0;
	for (size_t i = 0; i < host; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", s[i]))
			return 0;
	if (colon) {
		size_t digits = n - host - 1;
		if (digits == 0 || digits > 5 || strspn(colon + 1, "0123456789") < digits)
			return 0;
	}
	return 1;
}

static int tag_ok(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", t[i]))
			return 0;
	return 1;
}

int oci_parse_reference(const char *text, struct oci_reference *ref, struct amber_error *err)
{
	memset(ref, 0, sizeof *ref);
	if (strchr(text, '@'))
		return amber_error_set(
		    err, "image reference '%s': digests (@sha256:...) cannot name a new image", text);
	const char *slash = strrchr(text, '/');
	const char *colon = strrchr(slash ? slash : text, ':');
	size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
	const char *tag = colon ? colon + 1 : "latest";
	if (!tag_ok(tag))
		return amber_error_set(
		    err,
		    "image reference '%s': the tag '%s' must be 1 to 128 of A-Z a-z 0-9 _ . - "
		    "and not start with . or -",
		    text, tag);
	char name[256];
	const char *prefix = memchr(text, '/', name_len) ? "" : "localhost/";
	if (strlen(prefix) + name_len >= sizeof name)
		return amber_error_set(err, "image reference '%s' is too long", text);
	snprintf(name, sizeof name, "%s%.*s", prefix, (int)name_len, text);

	/* The first component is a registry host when it looks like one (has '.' or ':' or is
	 * localhost), as docker decides it. */
	const char *p = name;
	const char *end = strchr(p, '/');
	size_t first = (size_t)(end - p);
	int is_host =
	    memchr(p, '.', first) || memchr(p, ':', first) || (first == 9 && !memcmp(p, "localhost", 9));
	if (is_host) {
		if (!host_ok(p, first))
			return amber_error_set(err, "image reference '%s': bad registry host '%.*s'", text,
					       (int)first, p);
		p = end + 1;
	}
	for (;;) {
		end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (!component_ok(p, n))
			return amber_error_set(
			    err,
			    "image reference '%s': '%.*s' must be lowercase letters and digits, "
			    "joined by . _ __ or -",
			    text, (int)n, p);
		if (!end)
			break;
		p = end + 1;
	}
	snprintf(ref->name, sizeof ref->name, "%s", name);
	snprintf(ref->tag, sizeof ref->tag, "%s", tag);
	return 0;
}

void oci_reference_format(const struct oci_reference *ref, char *out, size_t size)
{
	snprintf(out, size, "%s:%s", ref->name, ref->tag);
}

void oci_format_time(int64_t seconds, char out[32])
{
	time_t t = (time_t)seconds;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *oci_host_architecture(void)
{
	static const struct {
		const char *uname, *goarch;
	} map[] = {{"x86_64", "amd64"}, {"aarch64", "arm64"},	{"armv7l", "arm"},  {"i686", "386"},
		   {"i386", "386"},	{"ppc64le", "ppc64le"}, {"s390x", "s390x"}, {"riscv64", "riscv64"}};
	static char machine[65];
	struct utsname u;
	if (uname(&u) < 0)
		return "amd64";
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (strcmp(u.machine, map[i].uname) == 0)
			return map[i].goarch;
	snprintf(machine, sizeof machine, "%s", u.machine);
	return machine;
}

const char *oci_layer_media_type(const char *compression)
{
	if (strcmp(compression, "gzip") == 0)
		return OCI_MEDIA_LAYER_GZIP;
	if (strcmp(compression, "zstd") == 0)
		return OCI_MEDIA_LAYER_ZSTD;
	return OCI_MEDIA_LAYER;
}

static void write_strings(struct json_writer *w, const char *key, const char *const *list)
{
	if (!list)
		return;
	json_key(w, key);
	json_array_begin(w);
	for (; *list; list++)
		json_str(w, *list);
	json_array_end(w);
}

/* Sorts by key, stably (insertion sort: label lists are short), and writes each key once: a
 * later duplicate wins, so --label can override amber's own labels. */
static void write_labels(struct json_writer *w, struct oci_label *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1].key, v[j].key) > 0; j--) {
			struct oci_label t = v[j - 1];
			v[j - 1] = v[j];
			v[j] = t;
		}
	json_key(w, "Labels");
	json_object_begin(w);
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || strcmp(v[i].key, v[i + 1].key) != 0)
			json_kv_string(w, v[i].key, v[i].value);
	json_object_end(w);
}

void oci_write_config(struct buf *out, struct oci_config *c)
{
	char created[32];
	oci_format_time(c->created, created);
	struct json_writer w;
	json_writer_init(&w, out);
	json_object_begin(&w);
	json_kv_string(&w, "created", created);
	json_kv_string(&w, "architecture", c->architecture);
	json_kv_string(&w, "os", "linux");
	json_key(&w, "config");
	json_object_begin(&w);
	json_kv_string(&w, "User", c->user);
	json_key(&w, "ExposedPorts");
	json_object_begin(&w);
	for (const char *const *p = c->ports; p && *p; p++) {
		json_key(&w, *p);
		json_object_begin(&w);
		json_object_end(&w);
	}
	json_object_end(&w);
	write_strings(&w, "Entrypoint", c->entrypoint);
	write_strings(&w, "Cmd", c->cmd);
	json_kv_string(&w, "WorkingDir", c->working_dir);
	write_labels(&w, c->labels, c->nlabels);
	json_object_end(&w);
	json_key(&w, "rootfs");
	json_object_begin(&w);
	json_kv_string(&w, "type", "layers");
	json_key(&w, "diff_ids");
	json_array_begin(&w);
	for (size_t i = 0; i < c->nlayers; i++)
		json_str(&w, c->diff_ids[i]);
	json_array_end(&w);
	json_object_end(&w);
	json_key(&w, "history");
	json_array_begin(&w);
	for (size_t i = 0; i < c->nlayers; i++) {
		json_object_begin(&w);
		json_kv_string(&w, "created", created);
		json_kv_string(&w, "created_by", c->created_by[i]);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
}

static void write_descriptor(struct json_writer *w, const struct oci_descriptor *d)
{
	json_object_begin(w);
	json_kv_string(w, "mediaType", d->media_type);
	json_kv_string(w, "digest", d->digest);
	json_kv_uint64(w, "size", d->size);
}

void oci_write_manifest(struct buf *out, const struct oci_descriptor *config,
			const struct oci_descriptor *layers, size_t nlayers)
{
	struct json_writer w;
	json_writer_init(&w, out);
	json_object_begin(&w);
	json_kv_int64(&w, "schemaVersion", 2);
	json_kv_string(&w, "mediaType", OCI_MEDIA_MANIFEST);
	json_key(&w, "config");
	write_descriptor(&w, config);
	json_object_end(&w);
	json_key(&w, "layers");
	json_array_begin(&w);
	for (size_t i = 0; i < nlayers; i++) {
		write_descriptor(&w, &layers[i]);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
}

void oci_write_index(struct buf *out, const struct oci_descriptor *manifest, const struct oci_reference *ref)
{
	char full[400];
	oci_reference_format(ref, full, sizeof full);
	struct json_writer w;
	json_writer_init(&w, out);
	json_object_begin(&w);
	json_kv_int64(&w, "schemaVersion", 2);
	json_kv_string(&w, "mediaType", OCI_MEDIA_INDEX);
	json_key(&w, "manifests");
	json_array_begin(&w);
	write_descriptor(&w, manifest);
	json_key(&w, "annotations");
	json_object_begin(&w);
	json_kv_string(&w, OCI_ANNOTATION_REF, full);
	json_object_end(&w);
	json_object_end(&w);
	json_array_end(&w);
	json_object_end(&w);
}

void oci_write_docker_manifest(struct buf *out, const char *config_path, const struct oci_reference *ref,
			       const char *const *layer_paths, size_t nlayers)
{
	char full[400];
	oci_reference_format(ref, full, sizeof full);
	struct json_writer w;
	json_writer_init(&w, out);
	json_array_begin(&w);
	json_object_begin(&w);
	json_kv_string(&w, "Config", config_path);
	json_key(&w, "RepoTags");
	json_array_begin(&w);
	json_str(&w, full);
	json_array_end(&w);
	json_key(&w, "Layers");
	json_array_begin(&w);
	for (size_t i = 0; i < nlayers; i++)
		json_str(&w, layer_paths[i]);
	json_array_end(&w);
	json_object_end(&w);
	json_array_end(&w);
}
