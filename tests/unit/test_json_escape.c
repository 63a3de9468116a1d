/*
 * test_json_escape.c -- manifest/jsonw.c's json_escape, which skips plain
 * text eight bytes at a time, escapes exactly as the byte-by-byte rules
 * (reference() here): every control, '"', '\\', valid UTF-8 kept,
 * invalid bytes as U+FFFD, wherever they fall in a word.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/jsonw.h"
#include "manifest/util.h"

#include "unit.h"

/* The rules one byte at a time. */
static void
reference(struct buf *b, const char *s, size_t len)
{
	size_t	i, k;

	buf_add_char(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 && (k = utf8_sequence(s + i, len - i)) != 0) {
			buf_add(b, s + i, k);
			i += k - 1;
		} else if (c >= 0x80)
			buf_add_str(b, "\\ufffd");
		else if (c == '"' || c == '\\') {
			buf_add_char(b, '\\');
			buf_add_char(b, (char)c);
		} else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
		    c == '\t') {
			buf_add_char(b, '\\');
			buf_add_char(b, c == '\b' ? 'b' : c == '\f' ? 'f' :
			    c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		} else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_add_char(b, (char)c);
	}
	buf_add_char(b, '"');
}

static void
t_json_escape_as_byte_by_byte(void)
{
	static const char *const pieces[] = { "a", "Zz09 ~", "\x7f", "\"",
	    "\\", "\n", "\x01", "\x1f", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x9a\x82",
	    "\xff", "\xc3", "\xe4\xb8", "\x80", "plain text of a wagon " };
	struct buf	 s = { 0 }, got = { 0 }, want = { 0 };
	unsigned	 seed = 7, n, k;
	int		 bad = 0;

	for (n = 0; n < 20000; n++) {
		s.len = 0;
		for (k = seed % 9; k > 0; k--) {
			seed = seed * 1103515245u + 12345u;
			buf_add_str(&s, pieces[(seed >> 16) %
			    (sizeof pieces / sizeof *pieces)]);
		}
		seed = seed * 1103515245u + 12345u;
		got.len = want.len = 0;
		json_escape(&got, s.data != NULL ? s.data : "", s.len);
		reference(&want, s.data != NULL ? s.data : "", s.len);
		bad += got.len != want.len || memcmp(got.data, want.data,
		    got.len) != 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	buf_free(&s);
	buf_free(&got);
	buf_free(&want);
}

static CU_TestInfo json_escape_tests[] = {
	{ "t_json_escape_as_byte_by_byte", t_json_escape_as_byte_by_byte },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("json_escape", NULL, NULL, json_escape_tests)
