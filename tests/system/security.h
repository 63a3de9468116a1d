/*
 * security.h -- the fixture of the security suites (issue 10, "Security
 * suite"), one file per attack surface: who may call what
 * (test_security_roles.c), what a caller sends (test_security_bodies.c),
 * SQL metacharacters (test_security_sql.c), the spool
 * (test_security_spool.c), the station key (test_security_keys.c).
 *
 * Each suite starts its own cluster and daemon with sec_suite_init and
 * ends with sec_check_no_secrets: no token, subscription secret or
 * private key text in its daemon's log.  A weakness found is recorded as
 * an assertion left in place, commented KNOWN, so that the suite passes
 * and the finding stays written down.  Test thread only.
 */
#ifndef TESTS_SECURITY_H
#define TESTS_SECURITY_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define SEC_TRAIN	"X8024"
#define SEC_WAGON	"315279550018"
#define SEC_CONTAINER	"TGHU1234567"

/* The running suite's cluster, daemon and tokens (set by sec_suite_init). */
struct sec_fixture {
	struct harness_pg	pg;
	struct harness_daemon	dm;
	char			operator_tok[64], officer_tok[64],
				auditor_tok[64], admin_tok[64],
				expired_tok[64], revoked_tok[64];
};
extern struct sec_fixture	sec;

/* CUnit init and cleanup of every security suite: 0 or -1. */
int sec_suite_init(void);
int sec_suite_clean(void);

/* Remembers a secret for the final scan of the log. */
void sec_remember(const char *s);
/* Asserts that no remembered secret nor the station key is in the log,
 * and that at least min_secrets were remembered. */
void sec_check_no_secrets(size_t min_secrets);

/* A request with a bearer token (NULL: none), extra headers and a body;
 * the status, -1 without an answer (r always filled, caller frees). */
int sec_call(const char *method, const char *path, const char *token,
    const char *extra, const char *body, struct harness_response *r);
/* sec_call(), the response dropped: the status. */
int sec_call_status(const char *method, const char *path, const char *token,
    const char *extra, const char *body);
/* True when r is a problem document whose status is r's. */
bool sec_is_problem(const struct harness_response *r);
/* Fails (saying which) when status is no answer or a 5xx. */
void sec_check_no_5xx(int status, const char *what, const char *method,
    const char *path);

/* One parameterised statement as the owner: the first value (owned) or NULL. */
char *sec_sql1(const char *sql, const char *param);
/* sec_sql1 as a number, -1 when it failed. */
long sec_sql_count(const char *sql, const char *param);
/* The rows of the tables a refused request must leave alone (owned). */
char *sec_table_counts(void);
/* Asserts the counts are still before (which it frees); what and meta
 * name the attempt. */
void sec_check_nothing_stored(char *before, const char *what,
    const char *meta);

/* The daemon's log (owned). */
char *sec_daemon_log(void);
/* True when the daemon's log holds needle, waiting up to ms for it. */
bool sec_log_has(const char *needle, int ms);

#endif
