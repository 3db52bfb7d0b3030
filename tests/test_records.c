/* test_records.c — unit tests for the record reader over real files (formats/records.h).
 *
 * Each test writes its input to a temporary file under /tmp (compressed ones through
 * libarchive's writer, the same library the reader uses) and reads it back record by record.
 * The teardown removes every file a test created, also when the test fails. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "formats/records.h"
#include "tests/support.h"

/* The reader under test lives here, not on a test's stack, so the teardown can close it
 * after a failed assertion too. */
static struct record_reader reader;

static int clean_up(void **state)
{
	record_reader_close(&reader);
	support_temp_remove_all();
	return 0;
}

#define TEMP_WITH(lit) support_temp_with((lit), sizeof(lit) - 1)

/* The whole content of a file, in a buffer the caller frees. */
static void slurp(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
}

static void open_csv(struct record_reader *r, const char *path, char comment)
{
	struct amber_error err = {0};
	if (record_reader_open(r, path, "data.csv", RECORD_CSV, ',', comment, &err) != 0)
		fail_msg("open: %s", err.message);
}

static void open_tsv(struct record_reader *r, const char *path, char comment)
{
	struct amber_error err = {0};
	if (record_reader_open(r, path, "data.tsv", RECORD_TSV, 0, comment, &err) != 0)
		fail_msg("open: %s", err.message);
}

/* Reads the next record and checks it is there. */
static void next_ok(struct record_reader *r)
{
	struct amber_error err = {0};
	int rc = record_reader_next(r, &err);
	if (rc != 1)
		fail_msg("expected a record, got %d (%s:%ld:%ld: %s)", rc, err.file, err.line, err.column,
			 err.message);
}

static void next_end(struct record_reader *r)
{
	struct amber_error err = {0};
	int rc = record_reader_next(r, &err);
	if (rc != 0)
		fail_msg("expected the end, got %d with %zu fields (%s)", rc, r->rec.nfields, err.message);
}

static void assert_field(const struct record_reader *r, size_t i, const char *want)
{
	if (i >= r->rec.nfields)
		fail_msg("field %zu of a record with %zu fields", i, r->rec.nfields);
	const struct csv_field *f = &r->rec.fields[i];
	if (f->len != strlen(want) || memcmp(f->ptr, want, f->len) != 0)
		fail_msg("field %zu is \"%.*s\", expected \"%s\"", i, (int)f->len, f->ptr, want);
}

/* The current record has exactly these fields (NULL-terminated list). */
static void assert_fields(const struct record_reader *r, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	if (r->rec.nfields != n)
		fail_msg("record at line %ld has %zu fields, expected %zu", r->line, r->rec.nfields, n);
	for (size_t i = 0; i < n; i++)
		assert_field(r, i, want[i]);
}

#define FIELDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- syntax ---- */

static void test_tsv_keeps_double_quotes_in_fields_verbatim(void **state)
{
	const char *path = TEMP_WITH("1\t\"Quoted\" name\tx\"\n2\t\"\t\"\"\n");
	struct record_reader *r = &reader;
	open_tsv(r, path, 0);
	next_ok(r);
	assert_fields(r, FIELDS("1", "\"Quoted\" name", "x\""));
	next_ok(r);
	assert_fields(r, FIELDS("2", "\"", "\"\""));
	assert_int_equal(r->line, 2);
	next_end(r);
	record_reader_close(r);
}

static void test_csv_bom_is_stripped_from_first_column_name(void **state)
{
	const char *path = TEMP_WITH("\xEF\xBB\xBFname,value\n\xEF\xBB\xBFx,1\n");
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_ok(r);
	assert_fields(r, FIELDS("name", "value"));
	assert_int_equal(r->line, 1);
	/* The BOM is part of the decompressed stream, so the first record starts at byte 3. */
	assert_int_equal(r->offset, 3);
	assert_int_equal(record_reader_column(r, 0), 1);
	next_ok(r);
	/* Only a leading BOM is special; one later in the file is data. */
	assert_fields(r, FIELDS("\xEF\xBB\xBFx", "1"));
	assert_int_equal(r->offset, 14);
	next_end(r);
	record_reader_close(r);
}

static void test_csv_crlf_ends_records_without_cr_in_fields(void **state)
{
	const char *path = TEMP_WITH("a,b\r\n\"c\",d\r\ne,\"f\"\r\n");
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_ok(r);
	assert_fields(r, FIELDS("a", "b"));
	next_ok(r);
	assert_fields(r, FIELDS("c", "d"));
	assert_int_equal(r->line, 2);
	assert_int_equal(r->offset, 5);
	next_ok(r);
	assert_fields(r, FIELDS("e", "f"));
	assert_int_equal(r->line, 3);
	next_end(r);
	record_reader_close(r);
}

static void test_tsv_crlf_ends_records_without_cr_in_fields(void **state)
{
	const char *path = TEMP_WITH("a\tb\r\nc\td\r\n");
	struct record_reader *r = &reader;
	open_tsv(r, path, 0);
	next_ok(r);
	assert_fields(r, FIELDS("a", "b"));
	next_ok(r);
	assert_fields(r, FIELDS("c", "d"));
	next_end(r);
	record_reader_close(r);
}

static void test_csv_quoted_newline_keeps_next_record_line_right(void **state)
{
	const char *path =
	    TEMP_WITH("id,text\n1,\"two\nlines\"\n2,\"three\r\nlines\n\"\"here\"\"\"\n3,last\n");
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_ok(r);
	assert_int_equal(r->line, 1);
	next_ok(r);
	assert_fields(r, FIELDS("1", "two\nlines"));
	assert_int_equal(r->line, 2);
	next_ok(r);
	assert_fields(r, FIELDS("2", "three\r\nlines\n\"here\""));
	assert_int_equal(r->line, 4);
	next_ok(r);
	assert_fields(r, FIELDS("3", "last"));
	assert_int_equal(r->line, 7);
	next_end(r);
	record_reader_close(r);
}

static void test_csv_last_record_may_lack_newline(void **state)
{
	const char *path = TEMP_WITH("a,b\nc,d");
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_ok(r);
	next_ok(r);
	assert_fields(r, FIELDS("c", "d"));
	assert_int_equal(r->line, 2);
	next_end(r);
	record_reader_close(r);
}

static void test_csv_other_separator(void **state)
{
	const char *path = TEMP_WITH("a;\"b;c\";d,e\n");
	struct record_reader *r = &reader;
	struct amber_error err = {0};
	assert_int_equal(record_reader_open(r, path, NULL, RECORD_CSV, ';', 0, &err), 0);
	next_ok(r);
	assert_fields(r, FIELDS("a", "b;c", "d,e"));
	next_end(r);
	record_reader_close(r);
}

/* ---- comments ---- */

static void test_csv_comment_lines_are_skipped_and_still_counted(void **state)
{
	const char *path = TEMP_WITH("# heading\na,b\n#c,d\n\n# more, notes\ne,f\n");
	struct record_reader *r = &reader;
	open_csv(r, path, '#');
	next_ok(r);
	assert_fields(r, FIELDS("a", "b"));
	assert_int_equal(r->line, 2);
	next_ok(r);
	assert_fields(r, FIELDS(""));
	assert_int_equal(r->line, 4);
	next_ok(r);
	assert_fields(r, FIELDS("e", "f"));
	assert_int_equal(r->line, 6);
	next_end(r);
	record_reader_close(r);
}

static void test_csv_comment_byte_inside_a_line_is_data(void **state)
{
	const char *path = TEMP_WITH("\"#quoted\",x\na,#b\n");
	struct record_reader *r = &reader;
	open_csv(r, path, '#');
	next_ok(r);
	assert_fields(r, FIELDS("#quoted", "x"));
	next_ok(r);
	assert_fields(r, FIELDS("a", "#b"));
	next_end(r);
	record_reader_close(r);
}

static void test_csv_without_comment_setting_hash_lines_are_records(void **state)
{
	const char *path = TEMP_WITH("#a,b\nc,d\n");
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_ok(r);
	assert_fields(r, FIELDS("#a", "b"));
	next_ok(r);
	next_end(r);
	record_reader_close(r);
}

/* A comment line is skipped as a line: a quote in it opens nothing. */
static void test_csv_comment_line_with_unbalanced_quote_is_skipped_whole(void **state)
{
	const char *path = TEMP_WITH("#note,\"unbalanced\na,b\n");
	struct record_reader *r = &reader;
	open_csv(r, path, '#');
	next_ok(r);
	assert_fields(r, FIELDS("a", "b"));
	assert_int_equal(r->line, 2);
	next_end(r);
	record_reader_close(r);
}

static void test_tsv_comment_lines_are_skipped(void **state)
{
	const char *path = TEMP_WITH("#ISO\tCountry\n#\"note\nAD\tAndorra\n");
	struct record_reader *r = &reader;
	open_tsv(r, path, '#');
	next_ok(r);
	assert_fields(r, FIELDS("AD", "Andorra"));
	assert_int_equal(r->line, 3);
	assert_int_equal(r->offset, 20);
	next_end(r);
	record_reader_close(r);
}

/* ---- sizes ---- */

static void test_record_wider_than_initial_field_capacity_is_whole(void **state)
{
	struct buf in = BUF_INIT;
	for (int rec = 0; rec < 2; rec++)
		for (int i = 0; i < 40; i++)
			buf_addf(&in, "r%df%d%c", rec, i, i == 39 ? '\n' : ',');
	buf_adds(&in, "x,y\n");
	const char *path = support_temp_with(in.data, in.len);
	buf_free(&in);
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	for (int rec = 0; rec < 2; rec++) {
		next_ok(r);
		assert_int_equal(r->rec.nfields, 40);
		assert_true(r->rec.cap >= 40);
		assert_int_equal(r->line, rec + 1);
		for (size_t i = 0; i < 40; i++) {
			char want[16];
			snprintf(want, sizeof want, "r%df%zu", rec, i);
			assert_field(r, i, want);
		}
	}
	next_ok(r);
	assert_fields(r, FIELDS("x", "y"));
	next_end(r);
	record_reader_close(r);
}

static void test_field_longer_than_read_chunk_is_read_whole(void **state)
{
	const size_t big = 1u << 20;
	struct buf in = BUF_INIT;
	buf_adds(&in, "x,");
	buf_grow(&in, big);
	memset(in.data + in.len, 'a', big);
	in.len += big;
	buf_adds(&in, ",y\nnext,1,2\n");
	const char *path = support_temp_with(in.data, in.len);
	buf_free(&in);
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_ok(r);
	assert_int_equal(r->rec.nfields, 3);
	assert_field(r, 0, "x");
	assert_int_equal(r->rec.fields[1].len, big);
	for (size_t i = 0; i < big; i++)
		if (r->rec.fields[1].ptr[i] != 'a')
			fail_msg("byte %zu of the big field is 0x%02x", i,
				 (unsigned char)r->rec.fields[1].ptr[i]);
	assert_field(r, 2, "y");
	next_ok(r);
	assert_fields(r, FIELDS("next", "1", "2"));
	assert_int_equal(r->line, 2);
	assert_int_equal(r->offset, 2 + big + 3);
	next_end(r);
	record_reader_close(r);
}

/* Many short records over several read chunks: none lost or split at a chunk boundary. */
static void test_records_across_read_chunks_keep_lines_and_offsets(void **state)
{
	const long n = 60000;
	struct buf in = BUF_INIT;
	for (long i = 1; i <= n; i++)
		buf_addf(&in, "%ld,\"v%ld\"\n", i, i * 7);
	const char *path = support_temp_with(in.data, in.len);
	size_t total = in.len;
	buf_free(&in);
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	uint64_t offset = 0;
	for (long i = 1; i <= n; i++) {
		next_ok(r);
		char a[32], b[32];
		snprintf(a, sizeof a, "%ld", i);
		snprintf(b, sizeof b, "v%ld", i * 7);
		if (r->rec.nfields != 2 || r->line != i || r->offset != offset)
			fail_msg("record %ld: %zu fields at line %ld offset %llu", i, r->rec.nfields, r->line,
				 (unsigned long long)r->offset);
		assert_field(r, 0, a);
		assert_field(r, 1, b);
		offset += strlen(a) + strlen(b) + 4;
	}
	assert_int_equal(offset, total);
	next_end(r);
	record_reader_close(r);
}

static void test_empty_file_has_no_records(void **state)
{
	const char *path = support_temp_with("", 0);
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_end(r);
	record_reader_close(r);
}

static void test_files_shorter_than_a_bom_are_read(void **state)
{
	const char *path = TEMP_WITH("a\n");
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_ok(r);
	assert_fields(r, FIELDS("a"));
	next_end(r);
	record_reader_close(r);

	path = TEMP_WITH("ab");
	open_tsv(r, path, 0);
	next_ok(r);
	assert_fields(r, FIELDS("ab"));
	next_end(r);
	record_reader_close(r);

	path = TEMP_WITH("\xEF\xBB\xBF");
	open_csv(r, path, 0);
	next_end(r);
	record_reader_close(r);
}

static void test_column_counts_bytes_from_the_fields_line(void **state)
{
	const char *path = TEMP_WITH("a,bb,ccc\n\"x\ny\",z,\"w\"\n");
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_ok(r);
	assert_int_equal(record_reader_column(r, 0), 1);
	assert_int_equal(record_reader_column(r, 1), 3);
	assert_int_equal(record_reader_column(r, 2), 6);
	assert_int_equal(record_reader_column(r, 3), 0);
	next_ok(r);
	/* "x\ny" spans lines 2-3; z and "w" are on line 3 at columns 4 and 6. */
	assert_int_equal(record_reader_column(r, 0), 1);
	assert_int_equal(record_reader_column(r, 1), 4);
	assert_int_equal(record_reader_column(r, 2), 6);
	record_reader_close(r);
}

/* ---- errors ---- */

static void test_invalid_utf8_fails_with_line_column_and_byte_offset(void **state)
{
	const char *path = TEMP_WITH("ok,fine\nab,c\xFF"
				     "d\n");
	struct record_reader *r = &reader;
	struct amber_error err = {0};
	open_csv(r, path, 0);
	next_ok(r);
	assert_int_equal(record_reader_next(r, &err), -1);
	assert_string_equal(err.file, "data.csv");
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 5);
	if (!strstr(err.message, "UTF-8") || !strstr(err.message, "0xff") ||
	    !strstr(err.message, "offset 12 "))
		fail_msg("message: %s", err.message);
	record_reader_close(r);
}

static void test_invalid_utf8_after_bom_and_quoted_newline_is_located(void **state)
{
	/* The bad byte is on line 3 (inside a quoted field that started on line 2), column 2. */
	const char *path = TEMP_WITH("\xEF\xBB\xBFh\n\"a\nb\xC0\x80\"\n");
	struct record_reader *r = &reader;
	struct amber_error err = {0};
	open_csv(r, path, 0);
	next_ok(r);
	assert_int_equal(record_reader_next(r, &err), -1);
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 2);
	if (!strstr(err.message, "0xc0") || !strstr(err.message, "offset 9 "))
		fail_msg("message: %s", err.message);
	record_reader_close(r);
}

static void test_malformed_csv_fails_with_line_and_column(void **state)
{
	const char *path = TEMP_WITH("a,b\nx,\"a\"b\n");
	struct record_reader *r = &reader;
	struct amber_error err = {0};
	open_csv(r, path, 0);
	next_ok(r);
	assert_int_equal(record_reader_next(r, &err), -1);
	assert_string_equal(err.file, "data.csv");
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 6);
	assert_non_null(strstr(err.message, "malformed CSV"));
	record_reader_close(r);
}

static void test_unterminated_quote_fails_at_opening_quote(void **state)
{
	const char *path = TEMP_WITH("a,b\nc,\"open\nmore\n");
	struct record_reader *r = &reader;
	struct amber_error err = {0};
	open_csv(r, path, 0);
	next_ok(r);
	assert_int_equal(record_reader_next(r, &err), -1);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 3);
	record_reader_close(r);
}

static void test_nonexistent_file_fails_to_open_naming_it(void **state)
{
	struct record_reader *r = &reader;
	struct amber_error err = {0};
	assert_int_equal(record_reader_open(r, "/tmp/amber_test_records_does/not/exist.csv", "missing.csv",
					    RECORD_CSV, ',', 0, &err),
			 -1);
	assert_string_equal(err.file, "missing.csv");
	assert_true(err.message[0] != '\0');
	assert_null(r->in);
	assert_null(r->rec.fields);
}

/* ---- compression ---- */

static void test_gzip_file_is_read_transparently(void **state)
{
	static const char text[] = "id,name\n1,Z\xC3\xBCrich\n2,\"a,b\"\n";
	const char *path = support_temp_compressed(ARCHIVE_FILTER_GZIP, text, sizeof text - 1);
	struct buf raw = BUF_INIT;
	slurp(path, &raw);
	assert_true(raw.len >= 2);
	assert_memory_equal(raw.data, "\x1f\x8b", 2); /* really gzip on disk */
	buf_free(&raw);
	struct record_reader *r = &reader;
	open_csv(r, path, 0);
	next_ok(r);
	assert_fields(r, FIELDS("id", "name"));
	next_ok(r);
	assert_fields(r, FIELDS("1", "Z\xC3\xBCrich"));
	next_ok(r);
	assert_fields(r, FIELDS("2", "a,b"));
	assert_int_equal(r->line, 3);
	next_end(r);
	record_reader_close(r);
}

static void test_truncated_gzip_fails_naming_the_file(void **state)
{
	struct buf text = BUF_INIT;
	for (int i = 0; i < 50000; i++)
		buf_addf(&text, "%d,name %d,%d.%d\n", i, i * 7919 % 100003, i % 90, i % 1000);
	const char *whole = support_temp_compressed(ARCHIVE_FILTER_GZIP, text.data, text.len);
	buf_free(&text);
	struct buf gz = BUF_INIT;
	slurp(whole, &gz);
	assert_true(gz.len > 1000);
	const char *cut = support_temp_with(gz.data, gz.len / 2);
	buf_free(&gz);

	struct record_reader *r = &reader;
	struct amber_error err = {0};
	assert_int_equal(record_reader_open(r, cut, "cities.csv.gz", RECORD_CSV, ',', 0, &err), 0);
	int rc;
	long records = 0;
	while ((rc = record_reader_next(r, &err)) == 1)
		records++;
	if (rc != -1)
		fail_msg("truncated file ended with %d after %ld records", rc, records);
	assert_true(records < 50000);
	assert_string_equal(err.file, "cities.csv.gz");
	if (!strstr(err.message, "gzip") || !strstr(err.message, "truncated"))
		fail_msg("message: %s", err.message);
	record_reader_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_tsv_keeps_double_quotes_in_fields_verbatim, clean_up),
	    cmocka_unit_test_teardown(test_csv_bom_is_stripped_from_first_column_name, clean_up),
	    cmocka_unit_test_teardown(test_csv_crlf_ends_records_without_cr_in_fields, clean_up),
	    cmocka_unit_test_teardown(test_tsv_crlf_ends_records_without_cr_in_fields, clean_up),
	    cmocka_unit_test_teardown(test_csv_quoted_newline_keeps_next_record_line_right, clean_up),
	    cmocka_unit_test_teardown(test_csv_last_record_may_lack_newline, clean_up),
	    cmocka_unit_test_teardown(test_csv_other_separator, clean_up),
	    cmocka_unit_test_teardown(test_csv_comment_lines_are_skipped_and_still_counted, clean_up),
	    cmocka_unit_test_teardown(test_csv_comment_byte_inside_a_line_is_data, clean_up),
	    cmocka_unit_test_teardown(test_csv_without_comment_setting_hash_lines_are_records, clean_up),
	    cmocka_unit_test_teardown(test_csv_comment_line_with_unbalanced_quote_is_skipped_whole, clean_up),
	    cmocka_unit_test_teardown(test_tsv_comment_lines_are_skipped, clean_up),
	    cmocka_unit_test_teardown(test_record_wider_than_initial_field_capacity_is_whole, clean_up),
	    cmocka_unit_test_teardown(test_field_longer_than_read_chunk_is_read_whole, clean_up),
	    cmocka_unit_test_teardown(test_records_across_read_chunks_keep_lines_and_offsets, clean_up),
	    cmocka_unit_test_teardown(test_empty_file_has_no_records, clean_up),
	    cmocka_unit_test_teardown(test_files_shorter_than_a_bom_are_read, clean_up),
	    cmocka_unit_test_teardown(test_column_counts_bytes_from_the_fields_line, clean_up),
	    cmocka_unit_test_teardown(test_invalid_utf8_fails_with_line_column_and_byte_offset, clean_up),
	    cmocka_unit_test_teardown(test_invalid_utf8_after_bom_and_quoted_newline_is_located, clean_up),
	    cmocka_unit_test_teardown(test_malformed_csv_fails_with_line_and_column, clean_up),
	    cmocka_unit_test_teardown(test_unterminated_quote_fails_at_opening_quote, clean_up),
	    cmocka_unit_test_teardown(test_nonexistent_file_fails_to_open_naming_it, clean_up),
	    cmocka_unit_test_teardown(test_gzip_file_is_read_transparently, clean_up),
	    cmocka_unit_test_teardown(test_truncated_gzip_fails_naming_the_file, clean_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
