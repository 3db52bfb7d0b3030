/* dump_postgres.c — the postgres dump translator (see sqldump.h). Placeholder until written. */
#include "formats/sqldump.h"

int sqldump_load_postgres(struct dump *d, const char *path, const char *name, enum dump_pass pass,
			  const struct sqldump_options *opt, struct amber_error *err)
{
	return amber_error_at(err, name, 0, 0, "postgres dumps are not supported yet");
}
