/* main.c — amberd, the read-only HTTP query server that lives in the image.
 *
 * Until the server lands (issue "amberd"), this checks that it can open a database the way
 * the server will (immutable, read-only) and says plainly that it cannot serve yet. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *db_path = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db_path = argv[++i];
		else if (strcmp(argv[i], "--help") == 0) {
			puts("usage: amberd --db PATH\n\nThe HTTP server is not implemented yet; amberd only "
			     "checks the database.");
			return 0;
		}
	}
	if (!db_path) {
		fputs("amberd: --db PATH is required\n", stderr);
		return 2;
	}
	char uri[4200];
	snprintf(uri, sizeof uri, "file:%s?immutable=1", db_path);
	sqlite3 *db;
	sqlite3_stmt *st;
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT value FROM _amber_meta WHERE key = 'format_version'", -1, &st,
			       NULL) != SQLITE_OK) {
		fprintf(stderr, "amberd: %s: not an amber database: %s\n", db_path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	fprintf(stderr, "amberd: %s opens; serving HTTP is not implemented yet\n", db_path);
	return 3;
}
