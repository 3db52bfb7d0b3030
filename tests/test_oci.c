/* test_oci.c — unit tests for OCI documents and references (formats/oci.h).
 *
 * The documents' bytes are what the image digests are computed over, so these tests pin them
 * exactly: key order, compactness, no trailing newline, sorted labels with the later duplicate
 * winning. References follow the distribution grammar, with bare names made full. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "formats/oci.h"

static void assert_reference(const char *text, const char *name, const char *tag)
{
	struct oci_reference ref;
	struct amber_error err = {0};
	int rc = oci_parse_reference(text, &ref, &err);
	if (rc != 0)
		fail_msg("'%s' rejected: %s", text, err.message);
	assert_string_equal(ref.name, name);
	assert_string_equal(ref.tag, tag);
}

static void assert_bad_reference(const char *text, const char *needle)
{
	struct oci_reference ref;
	struct amber_error err = {0};
	if (oci_parse_reference(text, &ref, &err) == 0)
		fail_msg("'%s' accepted as %s:%s", text, ref.name, ref.tag);
	if (!strstr(err.message, needle))
		fail_msg("'%s': message '%s' lacks '%s'", text, err.message, needle);
}

static void test_reference_bare_names_become_full(void **state)
{
	assert_reference("geo", "localhost/geo", "latest");
	assert_reference("geo:1", "localhost/geo", "1");
	assert_reference("amber-db", "localhost/amber-db", "latest");
	assert_reference("a.b_c__d-e--f", "localhost/a.b_c__d-e--f", "latest");
}

static void test_reference_paths_hosts_and_ports(void **state)
{
	assert_reference("localhost/amber-db:latest", "localhost/amber-db", "latest");
	assert_reference("team/geo:2026-11", "team/geo", "2026-11");
	assert_reference("registry.example:5000/a/b:v1.2_x", "registry.example:5000/a/b", "v1.2_x");
	assert_reference("127.0.0.1:5000/geo", "127.0.0.1:5000/geo", "latest");
	assert_reference("Registry.IO/geo:Tag", "Registry.IO/geo", "Tag");
}

static void test_reference_rejects_what_registries_reject(void **state)
{
	assert_bad_reference("Geo", "lowercase");
	assert_bad_reference("team/Geo", "lowercase");
	assert_bad_reference("a//b", "lowercase");
	assert_bad_reference("a___b", "lowercase");
	assert_bad_reference("a-.b", "lowercase");
	assert_bad_reference("-a", "lowercase");
	assert_bad_reference("a:", "tag");
	assert_bad_reference("a:-x", "tag");
	assert_bad_reference("a:b c", "tag");
	assert_bad_reference("a@sha256:0123", "digests");
	assert_bad_reference("host:x/a", "registry host");
	assert_bad_reference("bad name", "lowercase");
}

static void test_reference_tag_length_limit(void **state)
{
	char text[200];
	memset(text, 0, sizeof text);
	strcpy(text, "a:");
	memset(text + 2, 'x', 128);
	assert_reference(text, "localhost/a", text + 2);
	text[130] = 'x';
	assert_bad_reference(text, "tag");
}

static void test_reference_format_joins_name_and_tag(void **state)
{
	struct oci_reference ref;
	char out[400];
	assert_int_equal(oci_parse_reference("geo:7", &ref, NULL), 0);
	oci_reference_format(&ref, out, sizeof out);
	assert_string_equal(out, "localhost/geo:7");
}

static void test_config_bytes_are_exact(void **state)
{
	static const char *const entrypoint[] = {"/amberd", NULL};
	static const char *const cmd[] = {"--db", "/data/amber.db", NULL};
	static const char *const ports[] = {"8080/tcp", NULL};
	const char *diff_ids[] = {"sha256:aa", "sha256:bb"};
	const char *created_by[] = {"one", "two"};
	struct oci_label labels[] = {{"z", "last"}, {"a", "first"}, {"m", "old"}, {"m", "new"}};
	struct oci_config c = {
	    .created = 1700000000,
	    .architecture = "amd64",
	    .user = "65534:65534",
	    .entrypoint = entrypoint,
	    .cmd = cmd,
	    .ports = ports,
	    .working_dir = "/",
	    .labels = labels,
	    .nlabels = 4,
	    .diff_ids = diff_ids,
	    .created_by = created_by,
	    .nlayers = 2,
	};
	struct buf out = BUF_INIT;
	oci_write_config(&out, &c);
	assert_string_equal(
	    out.data, "{\"created\":\"2023-11-14T22:13:20Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
		      "\"config\":{\"User\":\"65534:65534\",\"ExposedPorts\":{\"8080/tcp\":{}},"
		      "\"Entrypoint\":[\"/amberd\"],\"Cmd\":[\"--db\",\"/data/amber.db\"],"
		      "\"WorkingDir\":\"/\",\"Labels\":{\"a\":\"first\",\"m\":\"new\",\"z\":\"last\"}},"
		      "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:aa\",\"sha256:bb\"]},"
		      "\"history\":[{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"one\"},"
		      "{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"two\"}]}");
	buf_free(&out);
}

static void test_labels_escape_and_stay_valid_json(void **state)
{
	struct oci_label labels[] = {{"q", "say \"hi\"\n"}, {"u", "Zürich"}};
	struct oci_config c = {
	    .architecture = "arm64", .user = "1", .working_dir = "/", .labels = labels, .nlabels = 2};
	struct buf out = BUF_INIT;
	oci_write_config(&out, &c);
	json_error_t je;
	json_t *j = json_loadb(out.data, out.len, 0, &je);
	assert_non_null(j);
	json_t *l = json_object_get(json_object_get(j, "config"), "Labels");
	assert_string_equal(json_string_value(json_object_get(l, "q")), "say \"hi\"\n");
	assert_string_equal(json_string_value(json_object_get(l, "u")), "Zürich");
	assert_string_equal(json_string_value(json_object_get(j, "created")), "1970-01-01T00:00:00Z");
	json_decref(j);
	buf_free(&out);
}

static void test_manifest_index_and_docker_manifest_bytes(void **state)
{
	struct oci_descriptor cfg = {OCI_MEDIA_CONFIG, "sha256:c", 10};
	struct oci_descriptor layers[] = {{OCI_MEDIA_LAYER_GZIP, "sha256:l1", 20},
					  {OCI_MEDIA_LAYER_ZSTD, "sha256:l2", 30}};
	struct buf out = BUF_INIT;
	oci_write_manifest(&out, &cfg, layers, 2);
	assert_string_equal(
	    out.data,
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
	    "\"digest\":\"sha256:c\",\"size\":10},\"layers\":["
	    "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:l1\","
	    "\"size\":20},"
	    "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"sha256:l2\","
	    "\"size\":30}]}");
	buf_reset(&out);
	struct oci_reference ref;
	assert_int_equal(oci_parse_reference("geo:1", &ref, NULL), 0);
	struct oci_descriptor m = {OCI_MEDIA_MANIFEST, "sha256:m", 99};
	oci_write_index(&out, &m, &ref);
	assert_string_equal(out.data,
			    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
			    "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			    "\"digest\":\"sha256:m\",\"size\":99,\"annotations\":"
			    "{\"org.opencontainers.image.ref.name\":\"localhost/geo:1\"}}]}");
	buf_reset(&out);
	const char *paths[] = {"a/layer.tar", "b/layer.tar"};
	oci_write_docker_manifest(&out, "c.json", &ref, paths, 2);
	assert_string_equal(out.data, "[{\"Config\":\"c.json\",\"RepoTags\":[\"localhost/geo:1\"],"
				      "\"Layers\":[\"a/layer.tar\",\"b/layer.tar\"]}]");
	buf_free(&out);
}

static void test_layer_media_types(void **state)
{
	assert_string_equal(oci_layer_media_type("gzip"), OCI_MEDIA_LAYER_GZIP);
	assert_string_equal(oci_layer_media_type("zstd"), OCI_MEDIA_LAYER_ZSTD);
	assert_string_equal(oci_layer_media_type("none"), OCI_MEDIA_LAYER);
}

static void test_format_time_is_utc(void **state)
{
	char out[32];
	oci_format_time(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	oci_format_time(951782400, out); /* a leap day */
	assert_string_equal(out, "2000-02-29T00:00:00Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reference_bare_names_become_full),
	    cmocka_unit_test(test_reference_paths_hosts_and_ports),
	    cmocka_unit_test(test_reference_rejects_what_registries_reject),
	    cmocka_unit_test(test_reference_tag_length_limit),
	    cmocka_unit_test(test_reference_format_joins_name_and_tag),
	    cmocka_unit_test(test_config_bytes_are_exact),
	    cmocka_unit_test(test_labels_escape_and_stay_valid_json),
	    cmocka_unit_test(test_manifest_index_and_docker_manifest_bytes),
	    cmocka_unit_test(test_layer_media_types),
	    cmocka_unit_test(test_format_time_is_utc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
