/* table.c — table specifications (see table.h). */
#include "core/table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		abort();
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void table_add_column(struct table_spec *t, const char *name, size_t len, enum value_type type)
{
	struct column_spec *c = realloc(t->columns, (t->ncolumns + 1) * sizeof *c);
	if (!c)
		abort();
	t->columns = c;
	c[t->ncolumns].name = dup_n(name, len);
	c[t->ncolumns].type = type;
	t->ncolumns++;
}

/* "a, b " → "a,b": lists are compared and split on bare commas. */
static char *normalize_list(const char *list)
{
	char *out = dup_n(list, strlen(list)), *w = out;
	for (const char *r = list; *r; r++)
		if (!isspace((unsigned char)*r))
			*w++ = *r;
	*w = '\0';
	return out;
}

void table_add_index(struct table_spec *t, const char *columns)
{
	char **ix = realloc(t->indexes, (t->nindexes + 1) * sizeof *ix);
	if (!ix)
		abort();
	t->indexes = ix;
	ix[t->nindexes++] = normalize_list(columns);
}

void table_set_pk(struct table_spec *t, const char *columns)
{
	free(t->pk);
	t->pk = normalize_list(columns);
}

int table_in_pk(const struct table_spec *t, size_t col)
{
	if (!t->pk)
		return 0;
	const char *name = t->columns[col].name;
	size_t n = strlen(name);
	for (const char *p = t->pk;;) {
		const char *end = strchr(p, ',');
		size_t k = end ? (size_t)(end - p) : strlen(p);
		if (k == n && strncasecmp(p, name, n) == 0)
			return 1;
		if (!end)
			return 0;
		p = end + 1;
	}
}

const char *table_type_name(enum value_type type)
{
	switch (type) {
	case VALUE_INTEGER:
		return "INTEGER";
	case VALUE_REAL:
		return "REAL";
	default:
		return "TEXT";
	}
}

static int type_from_name(const char *s, size_t n, enum value_type *out)
{
	char up[64];
	if (n == 0 || n >= sizeof up)
		return -1;
	for (size_t i = 0; i < n; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	up[n] = '\0';
	if (strstr(up, "INT"))
		*out = VALUE_INTEGER;
	else if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
		*out = VALUE_TEXT;
	else if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
		*out = VALUE_REAL;
	else
		return -1;
	return 0;
}

int table_parse_schema(struct table_spec *t, const char *schema, struct amber_error *err)
{
	const char *p = schema;
	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		/* The next comma outside parentheses: "DECIMAL(10,2)" is one type. */
		const char *end = p;
		for (int depth = 0; *end && (depth || *end != ','); end++)
			depth += *end == '(' ? 1 : *end == ')' ? -1 : 0;
		const char *name = p, *name_end = p;
		while (name_end < end && !isspace((unsigned char)*name_end))
			name_end++;
		const char *type = name_end;
		while (type < end && isspace((unsigned char)*type))
			type++;
		const char *type_end = end;
		while (type_end > type && isspace((unsigned char)type_end[-1]))
			type_end--;
		if (name_end == name || type_end == type)
			return amber_error_set(err, "--schema: expected 'name TYPE' at \"%.*s\"",
					       (int)(end - p), p);
		enum value_type vt;
		if (type_from_name(type, (size_t)(type_end - type), &vt) < 0)
			return amber_error_set(
			    err, "--schema: unknown type \"%.*s\" for column %.*s; use INTEGER, REAL or TEXT",
			    (int)(type_end - type), type, (int)(name_end - name), name);
		table_add_column(t, name, (size_t)(name_end - name), vt);
		p = *end ? end + 1 : end;
	}
	if (t->ncolumns == 0)
		return amber_error_set(err, "--schema: no columns given");
	return 0;
}

long table_find_column(const struct table_spec *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		if (strlen(t->columns[i].name) == len && strncasecmp(t->columns[i].name, name, len) == 0)
			return (long)i;
	return -1;
}

/* Every column named in the comma list "a,b" must exist. */
static int check_list(const struct table_spec *t, const char *list, const char *what, struct amber_error *err)
{
	const char *p = list;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (table_find_column(t, p, n) < 0)
			return amber_error_set(err, "table %s: %s column \"%.*s\" does not exist", t->name,
					       what, (int)n, p);
		if (!end)
			return 0;
		p = end + 1;
	}
}

int table_check(const struct table_spec *t, struct amber_error *err)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(t->columns[i].name, t->columns[j].name) == 0)
				return amber_error_set(err, "table %s: column name \"%s\" appears twice",
						       t->name, t->columns[i].name);
	if (t->pk && check_list(t, t->pk, "primary key", err) < 0)
		return -1;
	for (size_t i = 0; i < t->nindexes; i++)
		if (check_list(t, t->indexes[i], "index", err) < 0)
			return -1;
	return 0;
}

void table_free(struct table_spec *t)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		free(t->columns[i].name);
	for (size_t i = 0; i < t->nindexes; i++)
		free(t->indexes[i]);
	free(t->columns);
	free(t->indexes);
	free(t->name);
	free(t->pk);
	memset(t, 0, sizeof *t);
}
