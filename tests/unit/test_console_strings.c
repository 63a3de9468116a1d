/*
 * test_console_strings.c -- the officer console's own text against its
 * catalogues (issue 18, item 7), read from the source tree as the daemon
 * embeds it: every RG.t("...") first argument in daemon/api/console's scripts
 * and every data-i18n / data-i18n-title in index.html must have a text in
 * the zh-Hans and ru catalogues, and every catalogue entry (kk and vi
 * too) must keep exactly the {placeholders} of its English key.  A
 * failure names each string, so a new string without a translation
 * cannot slip in; scripts/console-strings.sh prints the same list for
 * whoever completes a catalogue.  An RG.t whose first argument is not a
 * string literal fails too: nothing could find its text.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "unit.h"

#define CONSOLE_DIR	"daemon/api/console"

/* The languages every string must have; the others are checked for placeholders. */
static const char *const complete_langs[] = { "zh-Hans", "ru" };
static const char *const all_langs[] = { "zh-Hans", "ru", "kk", "vi" };

struct strings {
	char	**v;
	size_t	  n, cap;
};

struct catalogue {
	struct strings	keys, texts;	/* parallel */
};

static void
strings_add(struct strings *s, char *str)
{
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = str;
}

static void
strings_free(struct strings *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static bool
strings_has(const struct strings *s, const char *str)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return true;
	return false;
}

/* Appends code point cp to b as UTF-8. */
static void
add_utf8(struct buf *b, unsigned long cp)
{
	if (cp < 0x80)
		buf_add_char(b, (char)cp);
	else if (cp < 0x800) {
		buf_add_char(b, (char)(0xc0 | (cp >> 6)));
		buf_add_char(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_add_char(b, (char)(0xe0 | (cp >> 12)));
		buf_add_char(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_add_char(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * The JavaScript string literal at *p (a '"'), its escapes decoded
 * (\uXXXX as UTF-8); *p moves past it.  NULL if *p is not one.
 */
static char *
js_string(const char **p)
{
	struct buf	 b = { 0 };
	const char	*s = *p;
	char		 hex[5];

	if (*s != '"')
		return NULL;
	for (s++; *s != '\0' && *s != '"' && *s != '\n'; s++) {
		if (*s != '\\') {
			buf_add_char(&b, *s);
			continue;
		}
		s++;
		if (*s == 'u' && isxdigit((unsigned char)s[1])) {
			memcpy(hex, s + 1, 4);
			hex[4] = '\0';
			add_utf8(&b, strtoul(hex, NULL, 16));
			s += 4;
		} else if (*s == 'n')
			buf_add_char(&b, '\n');
		else if (*s != '\0')
			buf_add_char(&b, *s);
		else
			break;
	}
	if (*s != '"') {
		buf_free(&b);
		return NULL;
	}
	*p = s + 1;
	buf_add_char(&b, '\0');
	return buf_steal(&b, NULL);
}

/* Skips white space and comments. */
static const char *
skip_space(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*" "/");

			p = e != NULL ? e + 2 : p + strlen(p);
		} else if (p[0] == '/' && p[1] == '/')
			p += strcspn(p, "\n");
		else
			return p;
	}
}

/*
 * The text of every RG.t("...") in text (file name), added to out; each
 * RG.t whose first argument is not a literal is added to bad.
 */
static void
extract_js(const char *name, const char *text, struct strings *out,
    struct strings *bad)
{
	const char	*p = text, *q;
	char		*s;
	unsigned	 line;

	while ((p = strstr(p, "RG.t(")) != NULL) {
		p += 5;
		q = skip_space(p);
		if ((s = js_string(&q)) != NULL) {
			if (!strings_has(out, s))
				strings_add(out, s);
			else
				free(s);
			continue;
		}
		if (strcmp(name, "i18n.js") == 0)
			continue;	/* RG.t(element's data-i18n): the HTML's */
		for (line = 1, q = text; q < p; q++)
			line += *q == '\n';
		strings_add(bad, xasprintf("%s:%u", name, line));
	}
}

/* The attribute values attr="..." in html (entities &amp; &quot; &lt; &gt;). */
static void
extract_html(const char *html, const char *attr, struct strings *out)
{
	static const char *const ent[][2] = {
		{ "&amp;", "&" }, { "&quot;", "\"" }, { "&lt;", "<" },
		{ "&gt;", ">" },
	};
	struct buf	 b;
	const char	*p = html, *e;
	size_t		 k, alen = strlen(attr);
	char		*s;

	while ((p = strstr(p, attr)) != NULL) {
		p += alen;
		if (p[0] != '=' || p[1] != '"')
			continue;
		memset(&b, 0, sizeof b);
		for (e = p + 2; *e != '\0' && *e != '"'; e++) {
			for (k = 0; k < nitems(ent); k++)
				if (strncmp(e, ent[k][0], strlen(ent[k][0])) == 0)
					break;
			if (k < nitems(ent)) {
				buf_add_str(&b, ent[k][1]);
				e += strlen(ent[k][0]) - 1;
			} else
				buf_add_char(&b, *e);
		}
		buf_add_char(&b, '\0');
		s = buf_steal(&b, NULL);
		if (!strings_has(out, s))
			strings_add(out, s);
		else
			free(s);
		p = e;
	}
}

/*
 * Blanks the block comments of a script in place (a comment may show how
 * RG.t is called without a string to translate); line numbers stay.
 */
static void
blank_comments(char *text)
{
	char	*p = text, *e;

	while ((p = strstr(p, "/" "*")) != NULL) {
		if ((e = strstr(p + 2, "*" "/")) == NULL)
			e = p + strlen(p) - 2;
		for (; p < e + 2; p++)
			if (*p != '\n')
				*p = ' ';
	}
}

/* Reads daemon/api/console/name whole; NULL if it cannot. */
static char *
read_console(const char *name)
{
	char	 path[512], *data = NULL;
	size_t	 n;

	snprintf(path, sizeof path, CONSOLE_DIR "/%s", name);
	if (file_read_all(path, &data, &n) < 0)
		return NULL;
	return data;
}

/* Every console string (and every non-literal RG.t in bad). */
static void
console_strings(struct strings *out, struct strings *bad)
{
	DIR		*d = opendir(CONSOLE_DIR);
	struct dirent	*e;
	char		*text;
	size_t		 len;

	CU_ASSERT_FATAL(d != NULL);
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (strncmp(e->d_name, "catalogue-", 10) == 0 ||
		    ((len < 4 || strcmp(e->d_name + len - 3, ".js") != 0) &&
		    strcmp(e->d_name, "index.html") != 0))
			continue;
		text = read_console(e->d_name);
		CU_ASSERT_FATAL(text != NULL);
		if (strcmp(e->d_name, "index.html") == 0) {
			extract_html(text, "data-i18n", out);
			extract_html(text, "data-i18n-title", out);
		} else {
			blank_comments(text);
			extract_js(e->d_name, text, out, bad);
		}
		free(text);
	}
	closedir(d);
}

/*
 * Reads catalogue-LANG.js: the object literal after RG.addCatalogue's
 * language, "key": "text" pairs.  0, or -1 if it does not parse.
 */
static int
catalogue_read(const char *lang, struct catalogue *c)
{
	char		 name[64], *text, *k, *v;
	const char	*p;
	int		 rc = -1;

	memset(c, 0, sizeof *c);
	snprintf(name, sizeof name, "catalogue-%s.js", lang);
	if ((text = read_console(name)) == NULL)
		return -1;
	if ((p = strstr(text, "RG.addCatalogue(")) == NULL ||
	    (p = strchr(p, '{')) == NULL)
		goto out;
	for (p = skip_space(p + 1); *p != '}'; p = skip_space(p)) {
		if ((k = js_string(&p)) == NULL)
			goto out;
		p = skip_space(p);
		if (*p++ != ':' || (p = skip_space(p), v = js_string(&p)) ==
		    NULL) {
			free(k);
			goto out;
		}
		strings_add(&c->keys, k);
		strings_add(&c->texts, v);
		p = skip_space(p);
		if (*p == ',')
			p++;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

/* The text of key in c, or NULL. */
static const char *
catalogue_text(const struct catalogue *c, const char *key)
{
	size_t	i;

	for (i = 0; i < c->keys.n; i++)
		if (strcmp(c->keys.v[i], key) == 0)
			return c->texts.v[i];
	return NULL;
}

/* The sorted, de-duplicated {names} of s, as one string (caller frees). */
static char *
placeholders(const char *s)
{
	struct strings	 v = { 0 };
	struct buf	 b = { 0 };
	const char	*e;
	char		*tmp;
	size_t		 i, k;

	while ((s = strchr(s, '{')) != NULL) {
		e = s + 1;
		while (islower((unsigned char)*e) || isdigit((unsigned char)*e) ||
		    *e == '_')
			e++;
		if (*e == '}' && e > s + 1) {
			tmp = xstrndup(s, (size_t)(e - s + 1));
			if (!strings_has(&v, tmp))
				strings_add(&v, tmp);
			else
				free(tmp);
		}
		s = e;
	}
	for (i = 1; i < v.n; i++)	/* insertion sort: a handful */
		for (k = i; k > 0 && strcmp(v.v[k - 1], v.v[k]) > 0; k--) {
			tmp = v.v[k];
			v.v[k] = v.v[k - 1];
			v.v[k - 1] = tmp;
		}
	for (i = 0; i < v.n; i++)
		buf_add_str(&b, v.v[i]);
	buf_add_char(&b, '\0');
	strings_free(&v);
	return buf_steal(&b, NULL);
}

/* Every RG.t's first argument is a string literal. */
static void
t_console_strings_literal(void)
{
	struct strings	all = { 0 }, bad = { 0 };
	size_t		i;

	console_strings(&all, &bad);
	for (i = 0; i < bad.n; i++)
		fprintf(stderr, "\nRG.t without a string literal: %s", bad.v[i]);
	CU_ASSERT_EQUAL(bad.n, 0);
	/* The check reads something: the bar and the list headers at least. */
	CU_ASSERT(strings_has(&all, "Clearance clock"));
	CU_ASSERT(strings_has(&all, "{time} left"));
	CU_ASSERT(all.n > 40);
	strings_free(&all);
	strings_free(&bad);
}

/* Every console string has a text in zh-Hans and ru. */
static void
t_console_strings_complete(void)
{
	struct strings		all = { 0 }, bad = { 0 };
	struct catalogue	c;
	const char		*tr, *only = getenv("RAILGATE_CONSOLE_LANGS");
	const char *const	*langs = complete_langs;
	size_t			i, l, missing = 0, nlangs = nitems(complete_langs);

	/* scripts/console-strings.sh LANG: what that language lacks. */
	if (only != NULL && *only != '\0') {
		langs = &only;
		nlangs = 1;
	}
	console_strings(&all, &bad);
	for (l = 0; l < nlangs; l++) {
		CU_ASSERT_FATAL(catalogue_read(langs[l], &c) == 0);
		for (i = 0; i < all.n; i++) {
			tr = catalogue_text(&c, all.v[i]);
			if (tr != NULL && *tr != '\0')
				continue;
			fprintf(stderr, "\nmissing in %s: \"%s\"", langs[l],
			    all.v[i]);
			missing++;
		}
		strings_free(&c.keys);
		strings_free(&c.texts);
	}
	CU_ASSERT_EQUAL(missing, 0);
	strings_free(&all);
	strings_free(&bad);
}

/* Every catalogue entry keeps its key's {placeholders}, no more, no fewer. */
static void
t_console_strings_placeholders(void)
{
	struct catalogue	c;
	char			*a, *b;
	size_t			i, l, wrong = 0, entries = 0;

	for (l = 0; l < nitems(all_langs); l++) {
		CU_ASSERT_FATAL(catalogue_read(all_langs[l], &c) == 0);
		for (i = 0; i < c.keys.n; i++, entries++) {
			a = placeholders(c.keys.v[i]);
			b = placeholders(c.texts.v[i]);
			if (strcmp(a, b) != 0) {
				fprintf(stderr, "\n%s: \"%s\" has %s, its "
				    "translation %s", all_langs[l], c.keys.v[i],
				    *a != '\0' ? a : "no placeholder",
				    *b != '\0' ? b : "none");
				wrong++;
			}
			free(a);
			free(b);
		}
		strings_free(&c.keys);
		strings_free(&c.texts);
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT(entries > 80);	/* zh-Hans and ru were read */
}

/* The checker itself: a placeholder set that differs is told apart. */
static void
t_console_strings_checker(void)
{
	const char	*p = "\"a \\u4e2d {x} \\\"q\\\"\" rest";
	char		*s, *a, *b;

	s = js_string(&p);
	CU_ASSERT_STRING_EQUAL(s, "a \xe4\xb8\xad {x} \"q\"");
	CU_ASSERT_STRING_EQUAL(p, " rest");
	free(s);
	a = placeholders("{time} left, {run} {time}");
	b = placeholders("剩余 {tme} {run}");
	CU_ASSERT_STRING_EQUAL(a, "{run}{time}");
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	free(a);
	free(b);
}

static CU_TestInfo console_strings_tests[] = {
	{ "every RG.t has a literal", t_console_strings_literal },
	{ "zh-Hans and ru are complete", t_console_strings_complete },
	{ "placeholders kept", t_console_strings_placeholders },
	{ "the checker tells strings apart", t_console_strings_checker },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("console_strings", NULL, NULL, console_strings_tests)
