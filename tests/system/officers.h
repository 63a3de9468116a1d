/*
 * officers.h -- what officers do, as the integration tests send it: a
 * wagon resolved, an override confirmed or rejected, a train approved,
 * each as a request with a bearer token against a daemon on port; and
 * the SQL the tests read a train and its wagons back with.
 *
 * Blocking, test thread only.  Each returns the HTTP status (-1: no
 * answer) and, when body is not NULL, the reply's body in *body (owned
 * by the caller; NULL without an answer).
 */
#ifndef TESTS_OFFICERS_H
#define TESTS_OFFICERS_H

#include <stdbool.h>

#include <CUnit/CUnit.h>

struct harness_pg;

/* A wagon's action in force: '%s' the train number, '%s' the wagon. */
#define OFFICERS_WAGON_NOW "SELECT coalesce(upper(w.resolution), w.action) " \
	"FROM wagons w JOIN trains t ON t.id = w.train_id WHERE " \
	"t.train_no = '%s' AND w.number = '%s'"
/* A train's state/decision/final: '%s' the train number. */
#define OFFICERS_TRAIN_STATE "SELECT t.state || '/' || " \
	"(t.decision->>'decision') || '/' || t.decision_final FROM trains t " \
	"WHERE t.train_no = '%s'"

/* A request with a bearer token (NULL: none) and a JSON body (or NULL). */
int officers_call(int port, const char *token, const char *method,
    const char *path, const char *json, char **body);
/* POST .../wagons/{wagon}/resolution {"action": action, "reason": ...}. */
int officers_resolve(int port, const char *token, const char *train,
    const char *wagon, const char *action, char **body);
/* POST .../wagons/{wagon}/override/{verb} (confirm or reject). */
int officers_override(int port, const char *token, const char *train,
    const char *wagon, const char *verb, char **body);
/*
 * Goods on no wagon resolved with four eyes: POST .../goods/resolution
 * (json) as proposer and, when that is a proposal (202), its confirmation
 * as confirmer.  The last answer's status and body.
 */
int officers_goods_agreed(int port, const char *proposer,
    const char *confirmer, const char *train, const char *json,
    char **body);
/* POST /v1/trains/{train}/approve. */
int officers_approve(int port, const char *token, const char *train,
    char **body);

/* Waits (15 s at most) until train's latest run is decided from every
 * input it has; false when it was not. */
bool officers_decided(const struct harness_pg *pg, const char *train);

/* The first value of the query fmt makes (caller frees), "" for none. */
char *officers_sql(const struct harness_pg *pg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Asserts that the query's first value is want; says what it was. */
#define OFFICERS_CHECK_SQL(pg, want, ...) do {				\
	char *v_ = officers_sql((pg), __VA_ARGS__);			\
	if (strcmp(v_, (want)) != 0)					\
		fprintf(stderr, "\n%s:%d: got \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, v_, (want));			\
	CU_ASSERT_STRING_EQUAL(v_, (want));				\
	free(v_);							\
} while (0)

#endif
