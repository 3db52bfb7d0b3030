/* inspect.c — `amber inspect IMAGE`: what an image holds, for people or (--json) for machines. */
#include "cmd/amber/cmds.h"
#include "core/buf.h"
#include "core/image.h"
#include "formats/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: amber inspect [--json] IMAGE\n"
    "\n"
    "Prints an image's reference, manifest digest, layers (size, media type), config\n"
    "(entrypoint, user, ports, labels) and its database's tables with row counts. IMAGE is an\n"
    "OCI layout directory, an OCI archive or a docker-archive. The documents are checked against\n"
    "their digests; the layers are not read (use 'amber verify' for that).\n"
    "\n"
    "options:\n"
    "      --json    one JSON object instead of text\n"
    "  -h, --help    this text\n";

static json_t *config_field(const struct image *img, const char *key)
{
	return json_object_get(json_object_get(img->config, "config"), key);
}

/* The tables named by io.amber.tables, each with its io.amber.table.<name>.rows. */
static void for_each_table(const struct image *img, void (*fn)(void *ctx, const char *name, const char *rows),
			   void *ctx)
{
	const char *list = image_label(img, "io.amber.tables");
	if (!list || !*list)
		return;
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		abort();
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char key[512];
		snprintf(key, sizeof key, "io.amber.table.%s.rows", t);
		const char *rows = image_label(img, key);
		fn(ctx, t, rows ? rows : "?");
	}
	free(copy);
}

static void print_strings(const char *prefix, json_t *list)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) printf("%s%s", i ? " " : prefix, json_string_value(v));
}

static void text_table(void *ctx, const char *name, const char *rows)
{
	printf("  %-24s %s rows\n", name, rows);
}

static void print_text(const struct image *img)
{
	printf("image       %s (%s)\n", img->path, image_kind_name(img->kind));
	printf("reference   %s\n", img->ref[0] ? img->ref : "(none)");
	if (img->manifest_digest[0])
		printf("manifest    %s (%llu bytes)\n", img->manifest_digest,
		       (unsigned long long)img->manifest_size);
	printf("config      %s (%llu bytes)\n", img->config_digest, (unsigned long long)img->config_size);
	printf("platform    %s/%s\n", json_string_value(json_object_get(img->config, "os")),
	       json_string_value(json_object_get(img->config, "architecture")));
	printf("layers\n");
	for (size_t i = 0; i < img->nlayers; i++) {
		const struct image_layer *l = &img->layers[i];
		printf("  %zu  %s  %llu bytes  %s\n", i + 1, l->digest[0] ? l->digest : l->name,
		       (unsigned long long)l->size,
		       l->media_type[0] ? l->media_type : "(read the layer to tell)");
	}
	print_strings("entrypoint  ", config_field(img, "Entrypoint"));
	print_strings(json_array_size(config_field(img, "Entrypoint")) ? " " : "cmd         ",
		      config_field(img, "Cmd"));
	printf("\n");
	const char *user = json_string_value(config_field(img, "User"));
	printf("user        %s\n", user && *user ? user : "(root)");
	const char *key;
	json_t *v;
	printf("ports      ");
	json_object_foreach(config_field(img, "ExposedPorts"), key, v) printf(" %s", key);
	printf("\nlabels\n");
	json_object_foreach(config_field(img, "Labels"), key, v)
	    printf("  %s=%s\n", key, json_string_value(v));
	printf("tables\n");
	for_each_table(img, text_table, NULL);
}

static void json_strings(struct json_writer *w, const char *key, json_t *list)
{
	size_t i;
	json_t *v;
	json_key(w, key);
	json_array_begin(w);
	json_array_foreach(list, i, v) json_str(w, json_string_value(v));
	json_array_end(w);
}

static void json_table(void *ctx, const char *name, const char *rows)
{
	struct json_writer *w = ctx;
	json_object_begin(w);
	json_kv_string(w, "name", name);
	json_key(w, "rows");
	char *end;
	long long n = strtoll(rows, &end, 10);
	if (*rows && !*end)
		json_int64(w, n);
	else
		json_null_value(w);
	json_object_end(w);
}

static void print_json(const struct image *img)
{
	struct buf out = BUF_INIT;
	struct json_writer w;
	const char *key;
	json_t *v;
	json_writer_init(&w, &out);
	json_object_begin(&w);
	json_kv_string(&w, "image", img->path);
	json_kv_string(&w, "kind", image_kind_name(img->kind));
	json_kv_string(&w, "reference", img->ref);
	json_kv_string(&w, "manifest_digest", img->manifest_digest);
	json_kv_string(&w, "config_digest", img->config_digest);
	json_kv_string(&w, "os", json_string_value(json_object_get(img->config, "os")));
	json_kv_string(&w, "architecture", json_string_value(json_object_get(img->config, "architecture")));
	json_key(&w, "layers");
	json_array_begin(&w);
	for (size_t i = 0; i < img->nlayers; i++) {
		json_object_begin(&w);
		json_kv_string(&w, "digest", img->layers[i].digest);
		json_kv_uint64(&w, "size", img->layers[i].size);
		json_kv_string(&w, "media_type", img->layers[i].media_type);
		json_kv_string(&w, "diff_id", img->layers[i].diff_id);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_strings(&w, "entrypoint", config_field(img, "Entrypoint"));
	json_strings(&w, "cmd", config_field(img, "Cmd"));
	const char *user = json_string_value(config_field(img, "User"));
	json_kv_string(&w, "user", user ? user : "");
	json_key(&w, "ports");
	json_array_begin(&w);
	json_object_foreach(config_field(img, "ExposedPorts"), key, v) json_str(&w, key);
	json_array_end(&w);
	json_key(&w, "labels");
	json_object_begin(&w);
	json_object_foreach(config_field(img, "Labels"), key, v)
	    json_kv_string(&w, key, json_string_value(v));
	json_object_end(&w);
	json_key(&w, "tables");
	json_array_begin(&w);
	for_each_table(img, json_table, &w);
	json_array_end(&w);
	json_object_end(&w);
	printf("%s\n", buf_str(&out));
	buf_free(&out);
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int as_json = 0, c;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'j')
			as_json = 1;
		else if (c == 'h')
			return fputs(usage_text, stdout), 0;
		else
			return cmd_usage_error("inspect", "%s", "invalid option");
	}
	if (optind != argc - 1)
		return cmd_usage_error("inspect", "%s", "give exactly one IMAGE");
	struct amber_error err = {0};
	struct image img;
	int status = 1;
	if (image_open(argv[optind], &img, &err) == 0) {
		if (as_json)
			print_json(&img);
		else
			print_text(&img);
		status = 0;
	} else {
		amber_error_print(&err, "amber inspect", stderr);
	}
	image_close(&img);
	return status;
}
