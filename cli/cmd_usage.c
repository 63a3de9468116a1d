/*
 * cmd_usage.c -- the command line's words for what went wrong
 * (cmd_usage.h): usage errors, database failures and their exit
 * statuses, plurals, and where a DSN comes from.
 *
 * A database failure is classified by its SQLSTATE, which db/ puts in
 * the message for this process (db_errors_with_sqlstate(), called by
 * main): the server may speak another language, a SQLSTATE does not.
 * A connection that failed has none and is always 69.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "db/dsn.h"
#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "daemon/config.h"

#define DB_CONNECT_PREFIX	"cannot connect to the database: "

/* The reason in one line, then the hint: EX_USAGE. */
int
usage_error(const char *cmd, const char *arg, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "railgate %s: ", cmd);
	if (arg != NULL)
		fprintf(stderr, "%s: ", arg);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'railgate %s --help'\n", cmd);
	return EX_USAGE;
}

/* getopt_long's complaint in our words: EX_USAGE. */
int
usage_bad_option(const char *cmd, int ch, char *const *argv)
{
	const char	*arg = optind > 0 ? argv[optind - 1] : "?";
	char		 name[64];

	/* A short option inside a group ("-xv"): name the letter. */
	if (optopt != 0 && strncmp(arg, "--", 2) != 0)
		snprintf(name, sizeof name, "-%c", optopt);
	else
		snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="),
		    arg);
	if (ch == ':')
		return usage_error(cmd, name, "needs a value");
	return usage_error(cmd, name, "unknown option");
}

/* A whole decimal number within bounds, or a usage error. */
int
usage_number(const char *cmd, const char *opt, const char *s, long min,
    long max, long *out)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > max ||
	    strspn(s, "+-0123456789") != strlen(s))
		return usage_error(cmd, opt, "\"%s\" is not a number from %ld "
		    "to %ld", s, min, max);
	*out = v;
	return 0;
}

/* -h or --help. */
bool
usage_is_help(const char *arg)
{
	return arg != NULL && (strcmp(arg, "-h") == 0 ||
	    strcmp(arg, "--help") == 0);
}

/* n and its noun in buf. */
const char *
plural(char *buf, size_t size, long long n, const char *one,
    const char *many)
{
	snprintf(buf, size, "%lld %s", n, n == 1 ? one : many);
	return buf;
}

/*
 * The SQLSTATE in msg ("ERROR:  42501: permission denied ...", the
 * severity in any language) into state, and where the text after it
 * starts; false when there is none.
 */
static bool
sqlstate_of(const char *msg, char state[6], const char **text)
{
	const char	*p;

	for (p = msg; (p = strstr(p, ":  ")) != NULL; p++)
		if (strspn(p + 3, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") >= 5 &&
		    p[8] == ':' && p[9] == ' ') {
			memcpy(state, p + 3, 5);
			state[5] = '\0';
			*text = p + 10;
			return true;
		}
	return false;
}

/* PostgreSQL's message on one line, the LOCATION lines left out. */
static void
print_pg_line(const char *msg)
{
	const char	*line, *nl;
	size_t		 n;
	bool		 first = true;

	fprintf(stderr, "  PostgreSQL: ");
	for (line = msg; *line != '\0'; line = *nl != '\0' ? nl + 1 : nl) {
		nl = line + strcspn(line, "\n");
		n = (size_t)(nl - line);
		while (n > 0 && (line[0] == '\t' || line[0] == ' ')) {
			line++;
			n--;
		}
		if (n == 0 || strncmp(line, "LOCATION:", 9) == 0)
			continue;
		fprintf(stderr, "%s%.*s", first ? "" : " ", (int)n, line);
		first = false;
	}
	fputc('\n', stderr);
}

/* "user=NAME" of the described DSN into buf ("the role" when unknown). */
static const char *
dsn_role(const char *dsn, char *buf, size_t size)
{
	char		*d = dsn != NULL ? db_dsn_describe(dsn) : NULL;
	const char	*u = d != NULL ? strstr(d, "user=") : NULL;

	if (u != NULL)
		snprintf(buf, size, "the role %.*s", (int)strcspn(u + 5, " "),
		    u + 5);
	else
		snprintf(buf, size, "the role");
	free(d);
	return buf;
}

/* The object a permission was refused on ("table notices"), or "". */
static void
refused_object(const char *text, char *buf, size_t size)
{
	const char	*p = strstr(text, " for ");

	if (p == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, size, " on %.*s", (int)strcspn(p + 5, "\n"), p + 5);
}

/* SQLSTATEs (a prefix names a class) in our words, and their status. */
static const struct {
	const char	*state, *words;
	int		 status;
} db_failures[] = {
	{ "42501", NULL, EX_NOPERM },		/* insufficient_privilege */
	{ "28", NULL, EX_NOPERM },		/* invalid authorization */
	{ "08", "the database is unavailable", EX_UNAVAILABLE },
	{ "57P", "the database is unavailable", EX_UNAVAILABLE },
	{ "53", "the database is unavailable", EX_UNAVAILABLE },
	{ "42P01", "the database has no railgate schema, or an older one "
	    "(railgate db migrate)", EX_CONFIG },
	{ "42883", "the database has no railgate schema, or an older one "
	    "(railgate db migrate)", EX_CONFIG },
	{ "42703", "the database has no railgate schema, or an older one "
	    "(railgate db migrate)", EX_CONFIG },
	{ "3F000", "the database has no railgate schema (railgate db "
	    "migrate)", EX_CONFIG },
	{ "40", "the database asks to try again", EX_TEMPFAIL },
	{ "55P03", "the database asks to try again", EX_TEMPFAIL },
	{ "22", "the database refused the data", EX_DATAERR },
	{ "23", "the database refused the data", EX_DATAERR },
	{ "", "the database failed the statement", EX_SOFTWARE },
};

/* Our line, PostgreSQL's line, the status (table above). */
int
db_error(const char *cmd, const char *what, const char *dsn,
    const char *cause)
{
	const char	*text = NULL;
	char		 state[6] = "", role[128], obj[160], *target;
	size_t		 i;

	if (cause == NULL)
		cause = "(no message)";
	if (strncmp(cause, DB_CONNECT_PREFIX, strlen(DB_CONNECT_PREFIX)) == 0) {
		target = dsn != NULL ? db_dsn_describe(dsn) : NULL;
		cmd_warnx(cmd, "cannot connect to the database%s%s",
		    target != NULL ? " at " : "", target != NULL ? target : "");
		free(target);
		print_pg_line(cause + strlen(DB_CONNECT_PREFIX));
		return EX_UNAVAILABLE;
	}
	if (!sqlstate_of(cause, state, &text)) {
		/* Our own words (db/ found no row it needed), or a server
		 * that did not say its SQLSTATE. */
		if (strstr(cause, "permission denied") == NULL) {
			cmd_warnx(cmd, "%s: %s", what, cause);
			return EX_SOFTWARE;
		}
		snprintf(state, sizeof state, "42501");
		text = cause;
	}
	for (i = 0; strncmp(state, db_failures[i].state,
	    strlen(db_failures[i].state)) != 0; i++)
		;
	if (db_failures[i].words != NULL)
		cmd_warnx(cmd, "%s: %s", what, db_failures[i].words);
	else {
		refused_object(text, obj, sizeof obj);
		cmd_warnx(cmd, "%s: %s has no permission%s", what,
		    dsn_role(dsn, role, sizeof role), obj);
	}
	print_pg_line(cause);
	return db_failures[i].status;
}
