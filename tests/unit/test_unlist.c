/*
 * test_unlist.c -- the UN Consolidated List as a list file (rules/unlist.c):
 * the fixtures of fixtures/screening/un/ convert to their .txt byte for
 * byte, every line written is one the edition-3 loader accepts (checked
 * here independently of the converter), names in other scripts are only
 * comments, identifiers only when they fit, broken documents are refused
 * with their line, and the same bytes give the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "manifest/util.h"
#include "rules/ident.h"
#include "rules/script.h"
#include "rules/unlist.h"

#include "unit.h"

/* Converts fixture rel; the text (caller frees) or NULL with *err set. */
static char *
convert(const char *rel, size_t *len, struct unlist_counts *c,
    struct unlist_error *err)
{
	char	*xml, *text = NULL;
	size_t	 n;

	xml = test_read_fixture(rel, &n);
	if (unlist_convert(xml, n, test_fixture(rel), &text, len, c, err) < 0)
		text = NULL;
	free(xml);
	return text;
}

/* 1 when every character of s[0..n) is of a script railgate compares. */
static int
scripts_ok(const char *s, size_t n)
{
	int32_t		i = 0;
	UChar32		c;
	UErrorCode	st = U_ZERO_ERROR;
	UScriptCode	sc;

	while (i < (int32_t)n) {
		U8_NEXT(s, i, (int32_t)n, c);
		if (c < 0)
			return 0;
		sc = uscript_getScript(c, &st);
		if (sc != USCRIPT_LATIN && sc != USCRIPT_CYRILLIC &&
		    sc != USCRIPT_HAN && sc != USCRIPT_COMMON &&
		    sc != USCRIPT_INHERITED)
			return 0;
	}
	return 1;
}

/* A name as the loader takes it: no outer or double spaces, no '=', compared scripts. */
static int
name_ok(const char *s, size_t n)
{
	return n > 0 && s[0] != ' ' && s[n - 1] != ' ' &&
	    memmem(s, n, "  ", 2) == NULL && memchr(s, '=', n) == NULL &&
	    memchr(s, '\t', n) == NULL && scripts_ok(s, n);
}

/* An attribute line (leading white space gone): aka, country or id of docs/screening.md. */
static int
attr_ok(const char *s, size_t n)
{
	char		 scheme[16], value[64];
	const char	*sp;

	if (n > 4 && memcmp(s, "aka ", 4) == 0)
		return name_ok(s + 4, n - 4);
	if (n == 10 && memcmp(s, "country ", 8) == 0)
		return s[8] >= 'A' && s[8] <= 'Z' && s[9] >= 'A' && s[9] <= 'Z';
	if (n < 4 || memcmp(s, "id ", 3) != 0 || n > 70)
		return 0;
	if ((sp = memchr(s + 3, ' ', n - 3)) == NULL ||
	    (size_t)(sp - s - 3) >= sizeof(scheme))
		return 0;
	memcpy(scheme, s + 3, (size_t)(sp - s - 3));
	scheme[sp - s - 3] = '\0';
	memcpy(value, sp + 1, n - (size_t)(sp + 1 - s));
	value[n - (size_t)(sp + 1 - s)] = '\0';
	return value[0] != '\0' && strchr(value, ' ') == NULL &&
	    ident_scheme_known(scheme) && ident_check(scheme, value, NULL, 0) == 0;
}

/*
 * The loader's view of text (docs/screening.md, "List files"): '#' starts
 * a comment, blank lines are skipped, a line in column 1 is an entry, an
 * indented one an attribute of the entry above.  How many lines it would
 * refuse (each printed).
 */
static int
bad_lines(const char *text)
{
	const char	*p = text, *nl, *e, *s;
	int		 bad = 0, entry = 0, line = 0, ok;

	for (; *p != '\0'; p = nl + 1) {
		line++;
		if ((nl = strchr(p, '\n')) == NULL)
			return bad + 1;		/* the text ends with a newline */
		e = memchr(p, '#', (size_t)(nl - p));
		if (e == NULL)
			e = nl;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		for (s = p; s < e && (*s == ' ' || *s == '\t'); s++)
			;
		if (s == e)
			continue;
		if (s == p)
			ok = entry = name_ok(s, (size_t)(e - s));
		else
			ok = entry && attr_ok(s, (size_t)(e - s));
		if (!ok) {
			printf("\n  line %d refused: %.*s", line, (int)(nl - p), p);
			bad++;
		}
	}
	return bad;
}

/* 1 when text holds line as a whole line. */
static int
has_line(const char *text, const char *line)
{
	size_t		 n = strlen(line);
	const char	*p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

/* How often needle occurs in text. */
static int
count(const char *text, const char *needle)
{
	const char	*p;
	int		 n = 0;

	for (p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Each fixture converts to its .txt byte for byte. */
static void
t_unlist_expected(void)
{
	static const char *const names[] = { "un-small", "un-edge" };
	struct unlist_counts	 c;
	struct unlist_error	 err;
	char			 rel[128], *text, *want;
	size_t			 i, len, wlen;

	for (i = 0; i < nitems(names); i++) {
		snprintf(rel, sizeof(rel), "screening/un/%s.xml", names[i]);
		text = convert(rel, &len, &c, &err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		snprintf(rel, sizeof(rel), "screening/un/%s.txt", names[i]);
		want = test_read_fixture(rel, &wlen);
		CU_ASSERT_EQUAL(len, wlen);
		CU_ASSERT(len == wlen && memcmp(text, want, len) == 0);
		CU_ASSERT_EQUAL(strlen(text), len);
		CU_ASSERT_EQUAL(bad_lines(text), 0);
		free(text);
		free(want);
	}
}

/* The checker itself refuses what the loader refuses. */
static void
t_unlist_checker(void)
{
	CU_ASSERT_EQUAL(bad_lines("Timur\n    aka T\n    country KZ\n"
	    "    id kz-bin 050540004455\n# note\n\n"), 0);
	CU_ASSERT_EQUAL(bad_lines("    aka before any entry\n"), 1);
	CU_ASSERT_EQUAL(bad_lines("X\n    country kz\n"), 1);
	CU_ASSERT_EQUAL(bad_lines("X\n    id uscc 91110000100000000X\n"), 1);
	CU_ASSERT_EQUAL(bad_lines("X\n    id vat 12345\n"), 1);
	CU_ASSERT_EQUAL(bad_lines("X\n    nickname Y\n"), 1);
	CU_ASSERT_EQUAL(bad_lines("شركة\n"), 1);
	CU_ASSERT_EQUAL(bad_lines("X\n    aka ستار\n"), 1);
	CU_ASSERT_EQUAL(bad_lines("A = B\n"), 1);
	CU_ASSERT_EQUAL(bad_lines("X"), 1);
}

/* Entries, aliases (low quality said), countries, skipped scripts, ids. */
static void
t_unlist_content(void)
{
	struct unlist_counts	 c;
	struct unlist_error	 err;
	size_t			 len;
	char			*t;

	t = convert("screening/un/un-small.xml", &len, &c, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* The full name, words joined by single spaces. */
	CU_ASSERT(has_line(t, "Karim Abdul Rahman AL-TESTI"));
	CU_ASSERT(has_line(t, "RED TEST MACHINERY IMPORT EXPORT CO., LTD."));
	/* Aliases, once each; a low-quality one is marked above it. */
	CU_ASSERT_EQUAL(count(t, "aka Karim al-Testi\n"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "    # low quality: Abu Testi\n"
	    "    aka Abu Testi\n"));
	CU_ASSERT(has_line(t, "    aka Тимур Тестов-Байтерек"));
	CU_ASSERT(has_line(t, "    aka Тимур Тестов"));
	CU_ASSERT(has_line(t, "    aka 红测机械进出口有限公司"));
	CU_ASSERT(has_line(t, "    aka 紅測機械進出口有限公司"));
	CU_ASSERT(has_line(t, "    aka Timur 2 Testov T.T."));
	/* Arabic: comments only, with the reason. */
	CU_ASSERT(has_line(t, "    # skipped original-script name (Arabic "
	    "script, not compared): كريم عبد الرحمن التستي"));
	CU_ASSERT(has_line(t, "    # skipped name (Arabic script, not "
	    "compared): شركة التجربة للتجارة"));
	CU_ASSERT(has_line(t, "Tajriba Trading Company"));
	/* One clear country, or none. */
	CU_ASSERT(has_line(t, "    country IQ"));
	CU_ASSERT(has_line(t, "    country CN"));
	CU_ASSERT(has_line(t, "    country KZ"));
	CU_ASSERT(has_line(t, "    # several countries (RU, KZ): no country "
	    "line"));
	CU_ASSERT_EQUAL(count(t, "    country "), 3);
	/* Identifiers that fit; the others named in comments. */
	CU_ASSERT(has_line(t, "    id uscc 91650100MA7A000XXM"));
	CU_ASSERT(has_line(t, "    id inn 500100732259"));
	CU_ASSERT(has_line(t, "    id kz-bin 971240001315"));
	CU_ASSERT(has_line(t, "    id kz-bin 050540004455"));
	CU_ASSERT(has_line(t, "    id eori DE1234567"));
	CU_ASSERT(has_line(t, "    id tin 1234567"));
	CU_ASSERT_PTR_NULL(strstr(t, "id uscc 91650100MA7A000XX1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "# document Unified Social Credit "
	    "Code 91650100MA7A000XX1 (China): fits no scheme (uscc: check "
	    "character should be 'M', not '1')"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "# document Passport A1234567 "
	    "(Iraq): no identifier scheme for it"));
	CU_ASSERT_PTR_NULL(strstr(t, "id tin A1234567"));
	/* The header's source and date; the counts. */
	CU_ASSERT(has_line(t, "# source: un-small.xml, dateGenerated "
	    "2026-11-30T10:00:03.97Z"));
	CU_ASSERT_EQUAL(c.individuals, 2);
	CU_ASSERT_EQUAL(c.entities, 3);
	CU_ASSERT_EQUAL(c.entries, 5);
	CU_ASSERT_EQUAL(c.records_skipped, 0);
	CU_ASSERT_EQUAL(c.aliases, 10);
	CU_ASSERT_EQUAL(c.low_quality, 2);
	CU_ASSERT_EQUAL(c.names_skipped, 3);
	CU_ASSERT_EQUAL(c.countries, 3);
	CU_ASSERT_EQUAL(c.countries_unknown, 1);
	CU_ASSERT_EQUAL(c.ids, 6);
	CU_ASSERT_EQUAL(c.documents_kept, 3);
	free(t);
}

/* Records with no name to compare, white space, escapes, duplicates. */
static void
t_unlist_edges(void)
{
	struct unlist_counts	 c;
	struct unlist_error	 err;
	size_t			 len;
	char			*t;

	t = convert("screening/un/un-edge.xml", &len, &c, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(c.entries, 1);
	CU_ASSERT_EQUAL(c.records_skipped, 2);
	CU_ASSERT_EQUAL(count(t, "# skipped: no name in a script railgate "
	    "compares\n"), 1);
	CU_ASSERT_EQUAL(count(t, "# skipped: the record has no name\n"), 1);
	/* Lines, a tab and NEL inside a name become single spaces. */
	CU_ASSERT(has_line(t, "NORTH STAR SHIPPING & TRADING CO. LTD"));
	/* An alias equal to the name or to an earlier alias is not repeated. */
	CU_ASSERT_EQUAL(count(t, "aka North Star Shipping\n"), 1);
	CU_ASSERT_EQUAL(count(t, "aka NORTH STAR"), 0);
	CU_ASSERT_EQUAL(c.low_quality, 0);
	CU_ASSERT(has_line(t, "    aka Ngôi Sao Phương Bắc"));
	CU_ASSERT(has_line(t, "    # skipped alias (Katakana script, not "
	    "compared): ノーススター"));
	CU_ASSERT(has_line(t, "    country KP"));
	CU_ASSERT(has_line(t, "    id inn 7707083893"));
	free(t);
}

/* Broken documents: refused, with the line libxml2 or the prescan found. */
static void
t_unlist_broken(void)
{
	static const struct {
		const char	*file;
		unsigned	 line_lo, line_hi;
		const char	*msg;
	} cases[] = {
		{ "truncated", 9, 10, "Premature end of data" },
		{ "wrong-root", 4, 4, "<sdnList>, not <CONSOLIDATED_LIST>" },
		{ "doctype-entity", 3, 3, "DOCTYPE is not accepted" },
		{ "empty", 1, 1, "empty" },
		{ "no-records", 2, 2, "neither <INDIVIDUALS> nor <ENTITIES>" },
		{ "undefined-entity", 6, 6, "'xxe' not defined" },
	};
	struct unlist_counts	 c;
	struct unlist_error	 err;
	char			 rel[128], *t;
	size_t			 i, len;

	for (i = 0; i < nitems(cases); i++) {
		snprintf(rel, sizeof(rel), "screening/un/broken/%s.xml",
		    cases[i].file);
		t = convert(rel, &len, &c, &err);
		CU_ASSERT_PTR_NULL(t);
		free(t);
		if (err.line < cases[i].line_lo || err.line > cases[i].line_hi ||
		    strstr(err.msg, cases[i].msg) == NULL) {
			printf("\n  %s: %u: %s", cases[i].file, err.line, err.msg);
			CU_FAIL("line or message");
		}
	}
}

/* Refused from the bytes: too large, a run past 1 MB, blank. */
static void
t_unlist_limits(void)
{
	struct unlist_counts	 c;
	struct unlist_error	 err;
	char			*big, *text = NULL;
	size_t			 len, n = ((size_t)1 << 20) + 200;

	/* calloc: the pages are never touched, the size alone refuses. */
	big = calloc(1, UNLIST_MAX_BYTES + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_EQUAL(unlist_convert(big, UNLIST_MAX_BYTES + 1, "big.xml",
	    &text, &len, &c, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "larger than 64 MB"));
	free(big);

	big = xmalloc(n + 1);
	memset(big, 'a', n);
	memcpy(big, "<CONSOLIDATED_LIST>\n<ENTITIES>\n", 31);
	memcpy(big + n - 20, "</CONSOLIDATED_LIST>", 20);
	big[n] = '\0';
	CU_ASSERT_EQUAL(unlist_convert(big, n, "run.xml", &text, &len, &c,
	    &err), -1);
	/* The run is counted from the last '<' before it (line 2). */
	CU_ASSERT_EQUAL(err.line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "longer than 1 MB"));
	free(big);

	CU_ASSERT_EQUAL(unlist_convert(" \n\t\n", 4, "blank.xml", &text, &len,
	    &c, &err), -1);
	CU_ASSERT_EQUAL(err.line, 1);
	CU_ASSERT_PTR_NULL(text);
}

/* A record with a hundred aliases keeps every one; a namespaced root is read. */
static void
t_unlist_many_aliases(void)
{
	struct unlist_counts	 c;
	struct unlist_error	 err;
	struct buf		 b = { 0 };
	char			*text = NULL;
	size_t			 len;
	int			 i;

	buf_add_str(&b, "<CONSOLIDATED_LIST xmlns=\"urn:x\"><ENTITIES><ENTITY>"
	    "<FIRST_NAME>Many Names Ltd</FIRST_NAME>");
	for (i = 0; i < 100; i++)
		buf_printf(&b, "<ENTITY_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>"
		    "Alias %d</ALIAS_NAME></ENTITY_ALIAS>", i);
	buf_add_str(&b, "</ENTITY></ENTITIES></CONSOLIDATED_LIST>\n");
	CU_ASSERT_EQUAL_FATAL(unlist_convert(b.data, b.len, "many.xml", &text,
	    &len, &c, &err), 0);
	CU_ASSERT_EQUAL(c.entries, 1);
	CU_ASSERT_EQUAL(c.aliases, 100);
	CU_ASSERT(has_line(text, "    aka Alias 99"));
	CU_ASSERT_EQUAL(bad_lines(text), 0);
	free(text);
	buf_free(&b);
	/* NUL bytes are not white space: libxml2 judges them. */
	CU_ASSERT_EQUAL(unlist_convert("\0\0\0", 3, "nul.xml", &text, &len,
	    &c, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not well-formed"));
}

/* The same bytes give the same text, wherever the file was. */
static void
t_unlist_deterministic(void)
{
	struct unlist_counts	 c1, c2;
	struct unlist_error	 err;
	char			*xml, *a = NULL, *b = NULL;
	size_t			 n, la = 0, lb = 0;

	xml = test_read_fixture("screening/un/un-small.xml", &n);
	CU_ASSERT_EQUAL(unlist_convert(xml, n, "un-small.xml", &a, &la, &c1,
	    &err), 0);
	CU_ASSERT_EQUAL(unlist_convert(xml, n, "/var/lib/x/un-small.xml", &b,
	    &lb, &c2, &err), 0);
	CU_ASSERT_EQUAL(la, lb);
	CU_ASSERT(a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0);
	CU_ASSERT_EQUAL(memcmp(&c1, &c2, sizeof(c1)), 0);
	free(a);
	free(b);
	free(xml);
}

/* The importer's country table: the UN's names, case and spaces free. */
static void
t_unlist_countries(void)
{
	CU_ASSERT_STRING_EQUAL(unlist_country_code("Afghanistan"), "AF");
	CU_ASSERT_STRING_EQUAL(unlist_country_code("Yemen"), "YE");
	CU_ASSERT_STRING_EQUAL(unlist_country_code("Russian Federation"), "RU");
	CU_ASSERT_STRING_EQUAL(unlist_country_code(" russian\n FEDERATION "),
	    "RU");
	CU_ASSERT_STRING_EQUAL(unlist_country_code("Iran (Islamic Republic "
	    "of)"), "IR");
	CU_ASSERT_STRING_EQUAL(unlist_country_code("Viet Nam"), "VN");
	CU_ASSERT_STRING_EQUAL(unlist_country_code("Türkiye"), "TR");
	CU_ASSERT_STRING_EQUAL(unlist_country_code("China"), "CN");
	CU_ASSERT_STRING_EQUAL(unlist_country_code("Kazakhstan"), "KZ");
	CU_ASSERT_STRING_EQUAL(unlist_country_code("United Kingdom of Great "
	    "Britain and Northern Ireland"), "GB");
	CU_ASSERT_PTR_NULL(unlist_country_code("Atlantis"));
	CU_ASSERT_PTR_NULL(unlist_country_code(""));
	CU_ASSERT_PTR_NULL(unlist_country_code("KZ"));
	CU_ASSERT_PTR_NULL(unlist_country_code("a very long name that is "
	    "longer than any country in the table can ever be, by far, yes"));
}

/* rules/script.h: the scripts railgate compares, and the name of another. */
static void
t_unlist_scripts(void)
{
	static const char *const ok[] = { "Timur Trading House", "Тимур",
	    "红星机械进出口有限公司", "Công ty TNHH Ngôi Sao", "АҚ Бидай",
	    "«Test» & Co. 123 — №5", "e\xcc\x81", "" };
	static const struct { const char *s, *script; } bad[] = {
		{ "شركة", "Arabic" }, { "Star ノーススター", "Katakana" },
		{ "한국", "Hangul" }, { "Ελλάς", "Greek" },
		{ "\xef\xbf\xbe", "Unknown" }, { "a\xff", "invalid UTF-8" },
		{ "\xd9\xa0", "Arabic" },	/* ARABIC-INDIC DIGIT ZERO */
	};
	const char	*got;
	size_t		 i;

	for (i = 0; i < nitems(ok); i++)
		CU_ASSERT_PTR_NULL(script_uncompared(ok[i], strlen(ok[i])));
	for (i = 0; i < nitems(bad); i++) {
		got = script_uncompared(bad[i].s, strlen(bad[i].s));
		if (got == NULL || strcmp(got, bad[i].script) != 0) {
			printf("\n  %s: %s", bad[i].script, got ? got : "NULL");
			CU_FAIL("script");
		}
	}
	/* Only len bytes are looked at. */
	CU_ASSERT_PTR_NULL(script_uncompared("ab\xd8\xb4", 2));
}

/*
 * A refusal quoting a long Cyrillic tag is cut at a whole character, so
 * the message stays printable UTF-8 (fuzz_unlist found one cut inside
 * a character).
 */
static void
t_unlist_long_message(void)
{
	struct unlist_counts	 c;
	struct unlist_error	 err;
	struct buf		 b = { 0 };
	char			*text = NULL;
	size_t			 len, i, k;
	int			 odd;

	for (odd = 0; odd < 2; odd++) {
		buf_reset(&b);
		/* An opening tag its end tag does not match: libxml2 quotes
		 * it; one letter more or less moves the cut by a byte. */
		buf_add_str(&b, odd ? "<CONSOLIDATED_LIST><AB" :
		    "<CONSOLIDATED_LIST><A");
		for (i = 0; i < 400; i++)
			buf_add_str(&b, "\xd0\x84");	/* Є */
		buf_add_str(&b, ">x</B></CONSOLIDATED_LIST>\n");
		CU_ASSERT_EQUAL(unlist_convert(b.data, b.len, "long.xml", &text,
		    &len, &c, &err), -1);
		CU_ASSERT(text_is_printable(err.msg));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "tag mismatch"));
		for (i = 0; err.msg[i] != '\0'; i += k)
			if ((k = utf8_sequence(err.msg + i,
			    strlen(err.msg + i))) == 0)
				break;
		CU_ASSERT_EQUAL(err.msg[i], '\0');
		free(text);
		text = NULL;
	}
	buf_free(&b);
}

static CU_TestInfo unlist_tests[] = {
	{ "t_unlist_long_message", t_unlist_long_message },
	{ "t_unlist_scripts", t_unlist_scripts },
	{ "t_unlist_expected", t_unlist_expected },
	{ "t_unlist_checker", t_unlist_checker },
	{ "t_unlist_content", t_unlist_content },
	{ "t_unlist_edges", t_unlist_edges },
	{ "t_unlist_broken", t_unlist_broken },
	{ "t_unlist_limits", t_unlist_limits },
	{ "t_unlist_many_aliases", t_unlist_many_aliases },
	{ "t_unlist_deterministic", t_unlist_deterministic },
	{ "t_unlist_countries", t_unlist_countries },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("unlist", NULL, NULL, unlist_tests)
