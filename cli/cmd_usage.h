/*
 * cmd_usage.h -- how every `railgate` command says what is wrong: a usage
 * error in one line naming the argument and the reason, then a hint
 * (exit 64); a database failure in one line of our words, PostgreSQL's
 * own message on the next, and a sysexits status chosen from its
 * SQLSTATE; counts with the noun in the right number; the DSN found
 * where the manual says.  Main thread of the command line only.
 */
#ifndef CLI_CMD_USAGE_H
#define CLI_CMD_USAGE_H

#include <stdbool.h>
#include <stddef.h>

/* The DSN's order, for the --help of each command that reads one. */
#define CMD_DSN_HELP_ENV \
	"The DSN: --dsn, else $RAILGATE_DSN, else libpq's own PGHOST, " \
	"PGPORT,\nPGDATABASE, PGUSER or PGSERVICE when one is set.\n"
#define CMD_DSN_HELP_CONF(which) \
	"The DSN: --dsn, else -c CONFIG's " which ",\nelse $RAILGATE_DSN, " \
	"else libpq's own PGHOST, PGPORT, PGDATABASE, PGUSER\nor PGSERVICE " \
	"when one is set, else the default configuration's\n" which ".\n"
#define CMD_DSN_HELP		CMD_DSN_HELP_CONF("dsn")
#define CMD_DSN_HELP_ADMIN	CMD_DSN_HELP_CONF("admin_dsn (else dsn)")

/*
 * Prints "railgate CMD: ARG: reason" (no "ARG: " when arg is NULL) and
 * "try 'railgate CMD --help'" on stderr; returns EX_USAGE.  cmd may name
 * a sub-command ("rules lint").
 */
int usage_error(const char *cmd, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * What getopt_long answered ('?' unknown option, ':' missing value, with
 * optstring starting ':') as a usage error; returns EX_USAGE.
 */
int usage_bad_option(const char *cmd, int ch, char *const *argv);

/*
 * s as a whole decimal number in [min, max] into *out; else a usage
 * error naming opt ("--wagons: \"abc\" is not a number from 1 to 200"):
 * 0 or EX_USAGE.
 */
int usage_number(const char *cmd, const char *opt, const char *s, long min,
    long max, long *out);

/* True when arg is -h or --help. */
bool usage_is_help(const char *arg);

/* "1 train", "2 trains": n and the noun in its number, in buf. */
const char *plural(char *buf, size_t size, long long n, const char *one,
    const char *many);

/*
 * A database failure: prints "railgate CMD: WHAT: our words" and
 * PostgreSQL's own message on a second line, for cause as db/ wrote it
 * (dsn names the target of a failed connection; NULL: not known);
 * returns the sysexits status: 69 cannot connect or the server is going
 * away, 77 permission denied, 78 no railgate schema, 75 try again, 65
 * data refused, 70 anything else (docs/man/railgate.1, EXIT STATUS).
 */
int db_error(const char *cmd, const char *what, const char *dsn,
    const char *cause);

/*
 * Where a command's DSN comes from, first found wins: dsn_opt (--dsn);
 * conf when given_conf (-c); RAILGATE_DSN; "" when any of libpq's PGHOST,
 * PGHOSTADDR, PGSERVICE, PGDATABASE, PGUSER, PGPORT is set (libpq reads
 * them); conf's admin_dsn (admin) or dsn, when conf is not NULL and the
 * file exists.  NULL after a usage error saying how to give one; the
 * caller frees.  *status is the exit status for NULL (64, or 78 for a
 * configuration that cannot be read).
 */
char *usage_dsn(const char *cmd, const char *dsn_opt, const char *conf,
    bool given_conf, bool admin, int *status);

#endif
