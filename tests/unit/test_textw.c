/*
 * test_textw.c -- text written into HTML and CSV (manifest/textw.c): every
 * character HTML gives a meaning escaped, nothing else touched; CSV cells
 * quoted as RFC 4180 says and a formula made inert.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/textw.h"
#include "manifest/util.h"

#include "unit.h"

static char *
html(const char *s)
{
	struct buf	b = { 0 };

	textw_html(&b, s);
	buf_add(&b, "", 1);
	return buf_steal(&b, NULL);
}

static char *
csv(const char *s)
{
	struct buf	b = { 0 };

	textw_csv(&b, s);
	buf_add(&b, "", 1);
	return buf_steal(&b, NULL);
}

/* Each of & < > " ' escaped, wherever it stands; the rest as it was. */
static void
t_textw_html(void)
{
	static const char *const cases[][2] = {
		{ "", "" },
		{ "plain Ж 中", "plain Ж 中" },
		{ "<script>alert('x')</script>",
		    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
		{ "a&b\"c", "a&amp;b&quot;c" },
		{ "&", "&amp;" },
		{ "x>", "x&gt;" },
	};
	size_t	i;
	char	*s;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = html(cases[i][0]);
		CU_ASSERT_STRING_EQUAL(s, cases[i][1]);
		free(s);
	}
	s = html(NULL);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
}

/* Quoting where needed, quotes doubled, formulas prefixed with '. */
static void
t_textw_csv(void)
{
	static const char *const cases[][2] = {
		{ "", "" },
		{ "o.officer", "o.officer" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\r\nlines", "\"two\r\nlines\"" },
		{ "=SUM(A1)", "'=SUM(A1)" },
		{ "+1", "'+1" },
		{ "-2", "'-2" },
		{ "@cmd", "'@cmd" },
		{ "=1,2", "\"'=1,2\"" },
		{ "a=b", "a=b" },
	};
	size_t	i;
	char	*s;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = csv(cases[i][0]);
		CU_ASSERT_STRING_EQUAL(s, cases[i][1]);
		free(s);
	}
}

static CU_TestInfo textw_tests[] = {
	{ "t_textw_html", t_textw_html },
	{ "t_textw_csv", t_textw_csv },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("textw", NULL, NULL, textw_tests)
