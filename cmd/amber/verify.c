/* verify.c — `amber verify IMAGE`: argument parsing and output for core/verify. */
#include "cmd/amber/cmds.h"
#include "core/cleanup.h"
#include "core/verify.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
    "usage: amber verify [options] IMAGE\n"
    "\n"
    "Checks an image without running it. IMAGE is an OCI layout directory, an OCI archive or a\n"
    "docker-archive (told apart by their contents). Every document and blob is checked against\n"
    "the sha256 and size that refer to it, every layer's uncompressed sha256 against the\n"
    "config's diff_id, and the database /data/amber.db against its io.amber.db.sha256 label and\n"
    "with PRAGMA integrity_check. Exits 1 and names the first broken object when anything was\n"
    "altered.\n"
    "\n"
    "options:\n"
    "  -q, --quiet    print nothing when the image is sound\n"
    "  -h, --help     this text\n";

static void print_ok(void *ctx, const char *line)
{
	if (!*(int *)ctx)
		printf("ok  %s\n", line);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int quiet = 0, c;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		if (c == 'q')
			quiet = 1;
		else if (c == 'h')
			return fputs(usage_text, stdout), 0;
		else
			return cmd_usage_error("verify", "%s", "invalid option");
	}
	if (optind != argc - 1)
		return cmd_usage_error("verify", "%s", "give exactly one IMAGE");
	const char *path = argv[optind];
	struct progress progress;
	progress_init(&progress, stderr, quiet);
	cleanup_install_signal_handlers();
	struct amber_error err = {0};
	struct image img;
	int status = 1;
	if (image_open(path, &img, &err) == 0 && verify_image(&img, &progress, print_ok, &quiet, &err) == 0) {
		if (!quiet)
			printf("verified %s (%s)\n", path, image_kind_name(img.kind));
		status = 0;
	} else {
		amber_error_print(&err, "amber verify", stderr);
	}
	image_close(&img);
	return status;
}
