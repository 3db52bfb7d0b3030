/* test_progress.c — unit tests for progress reporting (core/progress.h).
 *
 * Output goes to a tmpfile() (not a terminal), read back after each call; the terminal cases
 * use a pseudo-terminal and are skipped where none can be opened. Intervals are crossed by
 * moving the recorded start times back rather than by sleeping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/progress.h"

static FILE *out;
static char text[4096];
static char *saved_term;

static int open_out(void **state)
{
	out = tmpfile();
	const char *term = getenv("TERM");
	saved_term = term ? strdup(term) : NULL;
	return out ? 0 : -1;
}

static int close_out(void **state)
{
	if (out)
		fclose(out);
	out = NULL;
	if (saved_term)
		setenv("TERM", saved_term, 1);
	else
		unsetenv("TERM");
	free(saved_term);
	saved_term = NULL;
	return 0;
}

/* Everything written to `out` so far. */
static const char *written(void)
{
	fflush(out);
	long n = ftell(out);
	assert_true(n >= 0 && (size_t)n < sizeof text);
	rewind(out);
	assert_int_equal(fread(text, 1, (size_t)n, out), (size_t)n);
	text[n] = '\0';
	fseek(out, 0, SEEK_END);
	return text;
}

static void assert_starts_with(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

static void assert_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	if (n < k || strcmp(s + n - k, suffix) != 0)
		fail_msg("\"%s\" does not end with \"%s\"", s, suffix);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- quiet ---- */

static void test_quiet_prints_nothing_at_all(void **state)
{
	struct progress p;
	progress_init(&p, out, 1);
	progress_begin(&p, "cities.txt", 1000);
	p.last_draw -= 100; /* an update would be due */
	progress_update(&p, 500, 10);
	progress_end(&p);
	progress_phase(&p, "indexing %s", "geoname");
	progress_phase_done(&p);
	progress_message(&p, 0, "skipped %d rows", 3);
	assert_string_equal(written(), "");
	/* The counts are still kept. */
	assert_int_equal(p.bytes, 500);
	assert_int_equal(p.rows, 10);
}

static void test_message_with_always_prints_even_when_quiet(void **state)
{
	struct progress p;
	progress_init(&p, out, 1);
	progress_message(&p, 1, "warning: %d rows skipped", 3);
	assert_string_equal(written(), "amber: warning: 3 rows skipped\n");
}

static void test_message_prints_when_not_quiet(void **state)
{
	struct progress p;
	progress_init(&p, out, 0);
	progress_message(&p, 0, "read %s", "x.csv");
	progress_message(&p, 1, "done");
	assert_string_equal(written(), "amber: read x.csv\namber: done\n");
}

/* ---- plain (not a terminal) ---- */

static void test_file_is_not_a_terminal(void **state)
{
	struct progress p;
	setenv("TERM", "xterm", 1);
	progress_init(&p, out, 0);
	assert_int_equal(p.tty, 0);
	assert_int_equal(p.quiet, 0);
	assert_ptr_equal(p.out, out);
}

static void test_end_prints_summary_with_rows_and_label(void **state)
{
	struct progress p;
	progress_init(&p, out, 0);
	progress_begin(&p, "cities500.txt", 2000000);
	progress_update(&p, 2000000, 12345);
	progress_end(&p);
	const char *s = written();
	assert_starts_with(s, "amber: cities500.txt: 12345 rows, 2.0 MB in ");
	assert_ends_with(s, " rows/s)\n");
	assert_int_equal(count_lines(s), 1);
}

static void test_end_reports_elapsed_seconds(void **state)
{
	struct progress p;
	progress_init(&p, out, 0);
	progress_begin(&p, "t", 0);
	p.start -= 3.0;
	progress_update(&p, 0, 600);
	progress_end(&p);
	double seconds = -1, rate = -1;
	const char *s = written();
	const char *in = strstr(s, " in ");
	assert_non_null(in);
	assert_int_equal(sscanf(in, " in %lf s (%lf rows/s)", &seconds, &rate), 2);
	if (seconds < 3.0 || seconds > 4.0 || rate < 150 || rate > 200)
		fail_msg("%s", s);
}

static void test_update_within_interval_prints_nothing(void **state)
{
	struct progress p;
	progress_init(&p, out, 0);
	progress_begin(&p, "t", 1000);
	progress_update(&p, 100, 1);
	progress_update(&p, 200, 2);
	assert_string_equal(written(), "");
	assert_int_equal(p.bytes, 200);
	assert_int_equal(p.rows, 2);
}

static void test_update_after_interval_prints_plain_line(void **state)
{
	struct progress p;
	progress_init(&p, out, 0);
	progress_begin(&p, "data.csv", 1000000);
	p.last_draw -= 60;
	progress_update(&p, 500000, 12);
	const char *s = written();
	assert_starts_with(s, "amber: data.csv: 500 kB of 1.0 MB (50%), 12 rows, ");
	assert_ends_with(s, " rows/s\n");
	assert_int_equal(count_lines(s), 1);
	/* The next update inside the interval stays silent. */
	progress_update(&p, 600000, 13);
	assert_int_equal(count_lines(written()), 1);
}

static void test_update_without_total_prints_bytes_only(void **state)
{
	struct progress p;
	progress_init(&p, out, 0);
	progress_begin(&p, "stdin", 0);
	p.last_draw -= 60;
	progress_update(&p, 3000000000u, 7);
	const char *s = written();
	assert_starts_with(s, "amber: stdin: 3.00 GB, 7 rows, ");
	assert_null(strstr(s, "%"));
}

static void test_phase_and_done_print_what_and_its_time(void **state)
{
	struct progress p;
	progress_init(&p, out, 0);
	progress_phase(&p, "indexing %s (%d indexes)", "geoname", 5);
	assert_string_equal(written(), "amber: indexing geoname (5 indexes) ...");
	p.phase_start -= 2.0;
	progress_phase_done(&p);
	const char *s = written();
	assert_starts_with(s, "amber: indexing geoname (5 indexes) ... ");
	assert_ends_with(s, " s\n");
	double seconds = -1;
	assert_int_equal(sscanf(s + strlen("amber: indexing geoname (5 indexes) ... "), "%lf", &seconds), 1);
	if (seconds < 2.0 || seconds > 3.0)
		fail_msg("phase took %.2f s by the line: %s", seconds, s);
}

static void test_message_during_phase_starts_on_a_new_line(void **state)
{
	struct progress p;
	progress_init(&p, out, 0);
	progress_phase(&p, "vacuum");
	progress_message(&p, 0, "note");
	assert_string_equal(written(), "amber: vacuum ...\namber: note\n");
}

static void test_second_phase_closes_the_first_line(void **state)
{
	struct progress p;
	progress_init(&p, out, 0);
	progress_phase(&p, "analyze");
	progress_phase(&p, "vacuum");
	assert_string_equal(written(), "amber: analyze ...\namber: vacuum ...");
}

static void test_now_is_monotonic_and_advances(void **state)
{
	double a = progress_now();
	usleep(20000);
	double b = progress_now();
	assert_true(a > 0);
	assert_true(b - a >= 0.015);
	assert_true(b - a < 5.0);
}

/* ---- terminal ---- */

/* A pseudo-terminal: *master to read from, a stream on the slave to write to; skips the test
 * when the system has none. */
static FILE *open_pty(int *master)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) != 0 || unlockpt(*master) != 0) {
		if (*master >= 0)
			close(*master);
		skip();
	}
	int slave = open(ptsname(*master), O_RDWR | O_NOCTTY);
	if (slave < 0) {
		close(*master);
		skip();
	}
	FILE *f = fdopen(slave, "w");
	assert_non_null(f);
	return f;
}

/* What arrived on the master side so far. */
static const char *pty_read(int master)
{
	size_t n = 0;
	struct pollfd pfd = {master, POLLIN, 0};
	while (n + 1 < sizeof text && poll(&pfd, 1, 200) == 1) {
		ssize_t got = read(master, text + n, sizeof text - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	text[n] = '\0';
	return text;
}

static void test_terminal_is_detected_unless_term_is_dumb(void **state)
{
	int master;
	FILE *tty = open_pty(&master);
	struct progress p;
	setenv("TERM", "xterm", 1);
	progress_init(&p, tty, 0);
	int with_xterm = p.tty;
	setenv("TERM", "dumb", 1);
	progress_init(&p, tty, 0);
	int with_dumb = p.tty;
	unsetenv("TERM");
	progress_init(&p, tty, 0);
	int without_term = p.tty;
	fclose(tty);
	close(master);
	assert_int_equal(with_xterm, 1);
	assert_int_equal(with_dumb, 0);
	assert_int_equal(without_term, 1);
}

static void test_terminal_draws_live_line_and_end_replaces_it(void **state)
{
	int master;
	FILE *tty = open_pty(&master);
	struct progress p;
	setenv("TERM", "xterm", 1);
	progress_init(&p, tty, 0);
	progress_begin(&p, "big.csv", 1000000);
	p.last_draw -= 1;
	progress_update(&p, 250000, 99);
	int open_after_update = p.line_open;
	progress_end(&p);
	fclose(tty);
	const char *s = pty_read(master);
	close(master);
	assert_int_equal(open_after_update, 1);
	/* The live line: cleared, label, bar a quarter full, percent; then cleared for the summary. */
	assert_starts_with(s, "\r\033[Kbig.csv [######..................]  25% 250 kB/1.0 MB");
	const char *summary = strstr(s + 1, "\r\033[Kamber: big.csv: 99 rows, 250 kB in ");
	if (!summary)
		fail_msg("no summary replacing the live line in \"%s\"", s);
	assert_int_equal(p.line_open, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_quiet_prints_nothing_at_all, open_out, close_out),
	    cmocka_unit_test_setup_teardown(test_message_with_always_prints_even_when_quiet, open_out,
					    close_out),
	    cmocka_unit_test_setup_teardown(test_message_prints_when_not_quiet, open_out, close_out),
	    cmocka_unit_test_setup_teardown(test_file_is_not_a_terminal, open_out, close_out),
	    cmocka_unit_test_setup_teardown(test_end_prints_summary_with_rows_and_label, open_out, close_out),
	    cmocka_unit_test_setup_teardown(test_end_reports_elapsed_seconds, open_out, close_out),
	    cmocka_unit_test_setup_teardown(test_update_within_interval_prints_nothing, open_out, close_out),
	    cmocka_unit_test_setup_teardown(test_update_after_interval_prints_plain_line, open_out,
					    close_out),
	    cmocka_unit_test_setup_teardown(test_update_without_total_prints_bytes_only, open_out, close_out),
	    cmocka_unit_test_setup_teardown(test_phase_and_done_print_what_and_its_time, open_out, close_out),
	    cmocka_unit_test_setup_teardown(test_message_during_phase_starts_on_a_new_line, open_out,
					    close_out),
	    cmocka_unit_test_setup_teardown(test_second_phase_closes_the_first_line, open_out, close_out),
	    cmocka_unit_test(test_now_is_monotonic_and_advances),
	    cmocka_unit_test_setup_teardown(test_terminal_is_detected_unless_term_is_dumb, open_out,
					    close_out),
	    cmocka_unit_test_setup_teardown(test_terminal_draws_live_line_and_end_replaces_it, open_out,
					    close_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
