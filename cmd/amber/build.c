/* build.c — `amber build INPUT... -o OUT`: argument parsing for core/build. */
#include "cmd/amber/cmds.h"
#include "core/build.h"
#include "core/cleanup.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: amber build [options] INPUT... -o OUT [--docker-archive FILE.tar]\n"
    "\n"
    "Converts the INPUTs as 'amber convert' does, then writes a FROM-scratch container image with\n"
    "no daemon: layer 1 holds the static server /amberd, layer 2 the database /data/amber.db.\n"
    "The image runs '/amberd --db /data/amber.db' as user 65534 and listens on 8080/tcp.\n"
    "\n"
    "outputs (at least one; each appears only when all of it worked):\n"
    "  -o, --output OUT        an OCI image layout directory, or with a .tar name the same layout\n"
    "                          as one archive that also carries a docker manifest.json, so that\n"
    "                          docker load, podman load, skopeo (oci-archive: and docker-archive:)\n"
    "                          and ctr import all read it\n"
    "      --docker-archive F  the classic 'docker save' form (uncompressed layers)\n"
    "      --db-out FILE       keep the SQLite database too\n"
    "      --force             replace outputs that exist\n"
    "\n"
    "image options:\n"
    "  -t, --tag NAME[:TAG]    image reference (default " BUILD_DEFAULT_REFERENCE "); a name with\n"
    "                          no '/' gets 'localhost/' in front, a missing tag is 'latest'\n"
    "      --label KEY=VALUE   add a config label (repeatable; wins over amber's own)\n"
    "      --queries FILE      canned queries (-- name: NAME before each statement), checked\n"
    "                          against the new database and served as /v1/queries/NAME\n"
    "      --compression C     gzip (default: every consumer reads it), zstd (smaller and faster;\n"
    "                          not readable by docker 20.10 or umoci 0.4) or none\n"
    "      --level N           compression level (gzip 1-9, default 6; zstd 1-19, default 3)\n"
    "      --threads N         compression threads (default: every CPU); the bytes written do not\n"
    "                          depend on it\n"
    "      --server PATH       the amberd binary for layer 1 (default: amberd beside amber)\n"
    "  -q, --quiet             no progress; print only the manifest digest\n"
    "  -h, --help              this text\n"
    "\n"
    "conversion options: every option of 'amber convert' except that -t is --tag here (use\n"
    "--table for a table name): -f/--format (csv, tsv, geonames, mysql, postgres, sqlite),\n"
    "--table, --schema, --no-header, --pk, --index, -d/--delimiter, --skip-bad-rows,\n"
    "--check full|quick, and for SQL dumps --database, --strict, --invalid-utf8\n"
    "error|blob|replace. See 'amber convert --help'.\n"
    "\n"
    "Reproducible: the same inputs and options give the same bytes and digests. Times in the\n"
    "image (config 'created', tar mtimes of the database layer) are SOURCE_DATE_EPOCH, else 0.\n"
    "\n"
    "examples:\n"
    "  amber build cities500.txt.zst -t geonames:2026-11 -o geonames.tar\n"
    "  amber build --pk id products.csv -o catalog-oci --docker-archive catalog.docker.tar\n"
    "  amber build --compression zstd cities500.txt -o geonames-zstd\n"
    "  amber build shop.sql.gz -t shop:2026-11 -o shop.tar\n";

enum {
	OPT_DOCKER = CONVERT_OPT_LAST,
	OPT_DB_OUT,
	OPT_SERVER,
	OPT_COMPRESSION,
	OPT_LEVEL,
	OPT_THREADS,
	OPT_LABEL,
	OPT_QUERIES
};

static const struct option build_longopts[] = {
    {"tag", required_argument, NULL, 't'},
    {"docker-archive", required_argument, NULL, OPT_DOCKER},
    {"db-out", required_argument, NULL, OPT_DB_OUT},
    {"server", required_argument, NULL, OPT_SERVER},
    {"compression", required_argument, NULL, OPT_COMPRESSION},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"label", required_argument, NULL, OPT_LABEL},
    {"queries", required_argument, NULL, OPT_QUERIES},
};
#define BUILD_LONGOPTS_COUNT (sizeof build_longopts / sizeof *build_longopts)

static int parse_int(const char *arg, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static void human(char *out, size_t size, uint64_t n)
{
	if (n >= 10 * 1024 * 1024)
		snprintf(out, size, "%.1f MiB", (double)n / 1048576);
	else
		snprintf(out, size, "%.1f KiB", (double)n / 1024);
}

static void print_summary(const struct build_options *o, const struct build_result *r)
{
	char ref[400], a[32], b[32];
	oci_reference_format(&o->ref, ref, sizeof ref);
	if (o->oci_out)
		printf("image     %s → %s\n", ref, o->oci_out);
	if (o->docker_out)
		printf("image     %s → %s (docker-archive)\n", ref, o->docker_out);
	if (r->manifest_digest[0])
		printf("manifest  %s\n", r->manifest_digest);
	printf("config    %s\n", r->config_digest);
	const char *what[2] = {BUILD_SERVER_PATH, BUILD_DB_PATH};
	const char *comp = o->oci_out ? compression_name(o->compression) : "none";
	for (int i = 0; i < 2; i++) {
		human(a, sizeof a, r->layer_size[i]);
		human(b, sizeof b, r->layer_tar_size[i]);
		printf("layer %d   %-15s %s %s (tar %s)\n", i + 1, what[i], a, comp, b);
	}
	human(a, sizeof a, r->db_size);
	printf("database  sha256:%s (%s)\n", r->db_sha256, a);
}

int cmd_build(int argc, char **argv)
{
	struct option longopts[CONVERT_LONGOPTS_COUNT + BUILD_LONGOPTS_COUNT + 1];
	memcpy(longopts, convert_longopts, CONVERT_LONGOPTS_COUNT * sizeof *longopts);
	memcpy(longopts + CONVERT_LONGOPTS_COUNT, build_longopts, sizeof build_longopts);
	memset(&longopts[CONVERT_LONGOPTS_COUNT + BUILD_LONGOPTS_COUNT], 0, sizeof *longopts);

	struct convert_args a = {0};
	struct build_options o = {.compression = COMPRESSION_GZIP};
	const char *tag = BUILD_DEFAULT_REFERENCE;
	char server[PATH_MAX + 16];
	struct amber_error err = {0};
	int c, status = 2;
	if (amber_sibling("amberd", server, sizeof server) < 0)
		snprintf(server, sizeof server, "amberd");
	o.server = server;
	while ((c = getopt_long(argc, argv, "-o:qhf:t:d:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			status = 0;
			goto out;
		case 't':
			tag = optarg;
			continue;
		case OPT_DOCKER:
			o.docker_out = optarg;
			continue;
		case OPT_DB_OUT:
			o.db_out = optarg;
			continue;
		case OPT_SERVER:
			o.server = optarg;
			continue;
		case OPT_QUERIES:
			o.queries = optarg;
			continue;
		case OPT_COMPRESSION:
			if (compression_parse(optarg, &o.compression) < 0) {
				cmd_usage_error("build", "--compression takes gzip, zstd or none, not '%s'",
						optarg);
				goto out;
			}
			continue;
		case OPT_LEVEL:
			if (parse_int(optarg, 1, 22, &o.level) < 0) {
				cmd_usage_error("build", "--level takes a number from 1 to 22, not '%s'",
						optarg);
				goto out;
			}
			continue;
		case OPT_THREADS:
			if (parse_int(optarg, 1, 256, &o.threads) < 0) {
				cmd_usage_error("build", "--threads takes a number from 1 to 256, not '%s'",
						optarg);
				goto out;
			}
			continue;
		case OPT_LABEL: {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				cmd_usage_error("build", "--label takes KEY=VALUE, not '%s'", optarg);
				goto out;
			}
			struct oci_label *l = realloc(o.labels, (o.nlabels + 1) * sizeof *l);
			if (!l)
				abort();
			o.labels = l;
			*eq = '\0'; /* argv is ours to split */
			l[o.nlabels++] = (struct oci_label){optarg, eq + 1};
			continue;
		}
		}
		int taken = convert_args_take(&a, c, optarg, "build");
		if (taken < 0)
			goto out;
		if (taken == 0) {
			cmd_usage_error("build", "%s", "invalid option");
			goto out;
		}
	}
	if (convert_args_finish(&a, "build") != 0)
		goto out;
	o.oci_out = a.opt.output;
	if (o.oci_out) { /* "img/" names the directory img: temporaries go beside it, not inside */
		char *path = (char *)o.oci_out; /* points into argv, which is ours to change */
		for (char *end = path + strlen(path); end > path + 1 && end[-1] == '/'; end--)
			end[-1] = '\0';
	}
	o.force = a.opt.force;
	if (!o.oci_out && !o.docker_out) {
		cmd_usage_error("build", "%s",
				"no output given (-o OUT, -o OUT.tar or --docker-archive FILE.tar)");
		goto out;
	}
	if (oci_parse_reference(tag, &o.ref, &err) < 0) {
		cmd_usage_error("build", "%s", err.message);
		goto out;
	}
	if (o.level && o.compression == COMPRESSION_GZIP && o.level > 9) {
		cmd_usage_error("build", "gzip levels are 1 to 9, not %d", o.level);
		goto out;
	}
	o.convert = a.opt;
	cleanup_install_signal_handlers();
	struct build_result res;
	if (build_run(&o, &res, &err) < 0) {
		amber_error_print(&err, "amber build", stderr);
		status = 1;
		goto out;
	}
	if (a.quiet)
		printf("%s\n", res.manifest_digest[0] ? res.manifest_digest : res.config_digest);
	else
		print_summary(&o, &res);
	status = 0;
out:
	free(o.labels);
	convert_args_free(&a);
	return status;
}
