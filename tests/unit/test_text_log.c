/*
 * test_text_log.c -- the daemon's log against text from outside (issue
 * 15, item 8), with no daemon: log_vline (daemon/log.c) writes one line
 * per call whatever the text holds, each control or invalid byte as
 * \xNN, and cuts a line too long without splitting a character or an
 * escape.
 *
 * The real daemon's log after hostile requests: integration_text
 * (tests/system/test_text_hygiene.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"
#include "manifest/util.h"

#include "unit.h"

/*
 * What log calls wrote to stderr, captured in a file (owned).  Not
 * inlined: GCC 12 then mistakes the file's buffer for the address of a
 * local (-Wdangling-pointer).
 */
static __attribute__((noinline)) char *
captured(void (*calls)(void), size_t *len)
{
	char	 path[] = "/tmp/railgate-log-XXXXXX", *out = NULL;
	int	 fd = mkstemp(path), saved = dup(STDERR_FILENO);

	CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
	dup2(fd, STDERR_FILENO);
	calls();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	if (file_read_all(path, &out, len) < 0)
		out = xstrdup("");
	unlink(path);
	return out;
}

/* A message of 6000 bytes: 'x', then from start a run of unit, repeated. */
static void
log_long(size_t start, const char *unit)
{
	char	text[6001];
	size_t	i, n = strlen(unit);

	memset(text, 'x', sizeof text - 1);
	for (i = start; i + n < sizeof text - 1; i += n)
		memcpy(text + i, unit, n);
	text[sizeof text - 1] = '\0';
	log_info("%s", text);
}

static void
log_hostile_calls(void)
{
	log_info("train %s: decision", "X9601\n2026-11-22T00:00:00.000Z "
	    "railgated info: FORGED\r");
	log_warnx("uri %s", "/v1/\x1b[31mred\x1b[0m\x7f\xc2\x9b");
	log_info("bytes %s", "\xff\xfe\xc3\x28 \xd0\x96");
	errno = ENOENT;
	log_warn("file %s", "a\tb");
	/*
	 * Past the line's 4096 bytes: cut whole, one line all the same,
	 * never inside a character (both parities: the prefix's length does
	 * not matter) nor inside an escape.
	 */
	log_long(3991, "\xd0\x96");
	log_long(3992, "\xd0\x96");
	log_long(3990, "\x1b");
}

/*
 * log_vline: one call, one line, whatever the text holds -- a newline,
 * CR, ESC, DEL, a C1 CSI, bytes that are not UTF-8 -- each as \xNN; valid
 * UTF-8 kept; a line too long cut without splitting a character.
 */
static void
t_text_log_one_line_per_call(void)
{
	size_t	 len, i, n, lines = 0, long_lines = 0;
	char	*out = captured(log_hostile_calls, &len);

	for (i = 0; i < len; i++)
		lines += out[i] == '\n';
	CU_ASSERT_EQUAL(lines, 7);
	CU_ASSERT(len > 0 && out[len - 1] == '\n');
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "train X9601\\x0A2026-11-22T00:00:"
	    "00.000Z railgated info: FORGED\\x0D: decision\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "uri /v1/\\x1B[31mred\\x1B[0m\\x7F"
	    "\\xC2\\x9B\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "bytes \\xFF\\xFE\\xC3( \xd0\x96\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "file a\\x09b: "));
	CU_ASSERT_PTR_NULL(memchr(out, '\x1b', len));
	CU_ASSERT_PTR_NULL(memchr(out, '\r', len));
	/* Each long line: at most 4096 bytes with its newline, printable
	 * (no character cut in two), escapes whole. */
	for (i = 0; i < len; i += n) {
		n = (size_t)((char *)memchr(out + i, '\n', len - i) - (out + i)) + 1;
		CU_ASSERT(n <= 4096);
		CU_ASSERT_EQUAL(text_printable_span(out + i, n - 1), n - 1);
		if (memmem(out + i, n, "xxxxxxxx", 8) != NULL) {
			long_lines++;
			CU_ASSERT(n >= 4090);
			CU_ASSERT(n < 5 || memcmp(out + i + n - 5, "\\x1", 3) == 0 ||
			    out[i + n - 2] != '\\');
		}
	}
	CU_ASSERT_EQUAL(long_lines, 3);
	free(out);
}

static CU_TestInfo text_log_tests[] = {
	{ "t_text_log_one_line_per_call", t_text_log_one_line_per_call },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("text_log", NULL, NULL, text_log_tests)
