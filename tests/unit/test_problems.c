/*
 * test_problems.c -- the table of problem types (daemon/problem.c)
 * against the sources that write titles and against docs/problems.md
 * (issue 21, item 8).
 *
 * A problem's type follows from its title, so a title written anywhere
 * -- a handler, the transport, the neighbour link, an SQL function --
 * must be a row of the table or a status's own reason phrase (type
 * about:blank); otherwise the daemon would answer about:blank with a
 * custom title, which RFC 9457 forbids.  The sources are scanned for the
 * places a title is written; a failure names the title and the file.
 * Every row must be explained in docs/problems.md: its URI and its title.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "daemon/http/http_int.h"
#include "daemon/problem.h"

#include "unit.h"

/* Where a C source writes a title: the needle, then commas to skip. */
static const struct {
	const char	*needle;
	int		 commas;
} c_sites[] = {
	{ "http_reply_problem(", 2 }, { "peer_refuse(", 3 },
	{ "guarded_refuse_own(", 2 }, { "fail(err,", 1 },
	{ "title = ", 0 }, { "\"title\",", 0 },
};

static char *
read_whole(const char *path)
{
	FILE	*f = fopen(path, "rb");
	char	*s;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	s[n] = '\0';
	fclose(f);
	return s;
}

/* Whether title is a status's reason phrase (a type of about:blank). */
static bool
is_reason_phrase(const char *title)
{
	int	s;

	for (s = 400; s < 600; s++)
		if (strcmp(http_reason(s), title) == 0 &&
		    strcmp(title, "Client Error") != 0 &&
		    strcmp(title, "Server Error") != 0)
			return true;
	return false;
}

/* Checks one title found in file (prefix: it continues at run time). */
static int
check_title(const char *title, bool prefix, const char *file)
{
	size_t	 n, i;
	const struct problem_type *t = problem_types(&n);

	if (prefix) {
		for (i = 0; i < n; i++)
			if (strncmp(t[i].title, title, strlen(title)) == 0)
				return 0;
	} else if (problem_type_find(title) != NULL || is_reason_phrase(title))
		return 0;
	fprintf(stderr, "\n  %s: title \"%s%s\" is neither a row of "
	    "daemon/problem.c nor a reason phrase", file, title,
	    prefix ? "..." : "");
	return 1;
}

/* Reads C string literals joined by blanks at *p into out; 0 if none. */
static int
c_literal(const char **p, char *out, size_t size)
{
	const char	*s = *p;
	size_t		 k = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s != '"')
		return 0;
	while (*s == '"') {
		for (s++; *s != '\0' && *s != '"'; s++) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			if (k + 1 < size)
				out[k++] = *s;
		}
		if (*s == '"')
			s++;
		while (isspace((unsigned char)*s))
			s++;
	}
	out[k] = '\0';
	*p = s;
	return 1;
}

/* The C sites of one file; the number of titles not accounted for. */
static int
scan_c(const char *file, int *seen)
{
	char		*text = read_whole(file), title[256];
	const char	*p, *q;
	int		 bad = 0, commas, depth;
	size_t		 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (i = 0; i < nitems(c_sites); i++)
		for (p = text; (p = strstr(p, c_sites[i].needle)) != NULL;) {
			q = p += strlen(c_sites[i].needle);
			for (commas = 0, depth = 0; *q != '\0' &&
			    commas < c_sites[i].commas; q++) {
				if (*q == '(')
					depth++;
				else if (*q == ')' && --depth < 0)
					break;
				else if (*q == ',' && depth == 0)
					commas++;
			}
			if (commas == c_sites[i].commas &&
			    c_literal(&q, title, sizeof title)) {
				(*seen)++;
				bad += check_title(title, false, file);
			}
		}
	free(text);
	return bad;
}

/*
 * Reads SQL literals at *p: adjacent ones joined across a line break (as
 * PostgreSQL does); *dynamic when a || follows.  0 if none.
 */
static int
sql_literal(const char **p, char *out, size_t size, bool *dynamic)
{
	const char	*s = *p;
	size_t		 k = 0;

	while (*s == ' ')
		s++;
	if (*s != '\'')
		return 0;
	while (*s == '\'') {
		for (s++; *s != '\0'; s++) {
			if (*s == '\'' && s[1] == '\'')
				s++;
			else if (*s == '\'')
				break;
			if (k + 1 < size)
				out[k++] = *s;
		}
		if (*s == '\'')
			s++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '\n')
			break;
		while (isspace((unsigned char)*s))
			s++;
	}
	out[k] = '\0';
	*dynamic = strncmp(s, "||", 2) == 0;
	*p = s;
	return 1;
}

/* The SQL titles of one file ('title', '...'). */
static int
scan_sql(const char *file, int *seen)
{
	char		*text = read_whole(file), title[256];
	const char	*p;
	bool		 dynamic;
	int		 bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (p = text; (p = strstr(p, "'title',")) != NULL;) {
		p += strlen("'title',");
		if (sql_literal(&p, title, sizeof title, &dynamic)) {
			(*seen)++;
			bad += check_title(title, dynamic, file);
		}
	}
	free(text);
	return bad;
}

/* Scans every file of dir ending in suffix (one level). */
static int
scan_dir(const char *dir, const char *suffix, int *seen)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	char		 path[512];
	size_t		 n, ls = strlen(suffix);
	int		 bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n <= ls || strcmp(e->d_name + n - ls, suffix) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		bad += strcmp(suffix, ".sql") == 0 ? scan_sql(path, seen) :
		    scan_c(path, seen);
	}
	closedir(d);
	return bad;
}

static void
t_problems_sources_titles_in_table(void)
{
	static const char *const c_dirs[] = { "daemon", "daemon/http",
	    "daemon/api", "daemon/peer", "daemon/notice" };
	int	bad = 0, seen = 0;
	size_t	i;

	for (i = 0; i < nitems(c_dirs); i++)
		bad += scan_dir(c_dirs[i], ".c", &seen);
	bad += scan_dir("db/functions", ".sql", &seen);
	bad += scan_dir("db/migrations", ".sql", &seen);
	if (bad > 0)
		fprintf(stderr, "\n");
	CU_ASSERT_EQUAL(bad, 0);
	/* The scan found the sites at all (a rename would silence it). */
	CU_ASSERT(seen > 150);
}

static void
t_problems_table_rows(void)
{
	size_t		 n, i, j;
	const struct problem_type *t = problem_types(&n);
	const char	*slug, *s;

	CU_ASSERT(n > 40);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(strncmp(t[i].uri, PROBLEM_URI_PREFIX,
		    strlen(PROBLEM_URI_PREFIX)), 0);
		slug = t[i].uri + strlen(PROBLEM_URI_PREFIX);
		CU_ASSERT(slug[0] != '\0');
		for (s = slug; *s != '\0'; s++)
			CU_ASSERT(islower((unsigned char)*s) ||
			    isdigit((unsigned char)*s) || *s == '-');
		/* A reason phrase's type is about:blank, never a row. */
		CU_ASSERT_FALSE(is_reason_phrase(t[i].title));
		CU_ASSERT(t[i].status == 0 ||
		    (t[i].status >= 400 && t[i].status < 600));
		for (j = i + 1; j < n; j++) {
			CU_ASSERT_STRING_NOT_EQUAL(t[i].uri, t[j].uri);
			CU_ASSERT_STRING_NOT_EQUAL(t[i].title, t[j].title);
		}
		CU_ASSERT_STRING_EQUAL(problem_type_uri(t[i].title), t[i].uri);
	}
	CU_ASSERT_STRING_EQUAL(problem_type_uri("Not Found"), "about:blank");
	CU_ASSERT_PTR_NULL(problem_type_find("Four Eyes"));
}

/* Each row's URI and title are in docs/problems.md, on one table line. */
static void
t_problems_documented(void)
{
	char		*doc = read_whole("docs/problems.md"), *line, *save, *d;
	size_t		 n, i;
	const struct problem_type *t = problem_types(&n);
	char		 uri[128], title[160];
	bool		 found;

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	for (i = 0; i < n; i++) {
		snprintf(uri, sizeof uri, "`%s`", t[i].uri);
		snprintf(title, sizeof title, "| %s |", t[i].title);
		found = false;
		d = xstrdup(doc);
		for (line = strtok_r(d, "\n", &save); line != NULL && !found;
		    line = strtok_r(NULL, "\n", &save))
			found = strstr(line, uri) != NULL &&
			    strstr(line, title) != NULL;
		free(d);
		if (!found)
			fprintf(stderr, "\n  docs/problems.md: no table line "
			    "with %s and %s", uri, title);
		CU_ASSERT(found);
	}
	free(doc);
}

static CU_TestInfo problems_tests[] = {
	{ "t_problems_table_rows", t_problems_table_rows },
	{ "t_problems_sources_titles_in_table",
	    t_problems_sources_titles_in_table },
	{ "t_problems_documented", t_problems_documented },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("problems", NULL, NULL, problems_tests)
