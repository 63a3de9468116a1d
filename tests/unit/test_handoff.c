/*
 * test_handoff.c -- daemon/handoff.c, the models ingest leaves for the
 * evaluator (handoff.h): taken once by manifest id with what ingest knew
 * of the bytes, bounded by the size of the bytes behind them (the oldest
 * go first, one too big is never held) and by age.  The store owns what
 * it holds: under SANITIZE=1 a model leaked or freed twice fails here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/handoff.h"
#include "manifest/model.h"

#include "unit.h"

/* An entry for manifest id with a train named after it, left at at_ms. */
static struct handoff_entry
entry(long long id, size_t raw_size, int64_t at_ms)
{
	struct handoff_entry	e;
	char			name[32];

	memset(&e, 0, sizeof e);
	e.manifest_id = id;
	e.train = manifest_train_new();
	snprintf(name, sizeof name, "X%lld", id);
	e.train->id = manifest_str(e.train, name, strlen(name));
	snprintf(e.sha256, sizeof e.sha256, "%064lld", id);
	e.raw_size = raw_size;
	e.parse_ms = (double)id / 2;
	e.at_ms = at_ms;
	return e;
}

/* The ids held, oldest first, as "1,2,3". */
static const char *
ids_of(const struct handoff *h)
{
	static char	out[256];
	long long	ids[32];
	size_t		i, n, len = 0;

	CU_ASSERT_FATAL(handoff_count(h) <= 32);
	n = handoff_manifest_ids(h, ids);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%lld",
		    i > 0 ? "," : "", ids[i]);
	return out;
}

/* Taken once, whole: the model and what ingest knew of its bytes. */
static void
t_handoff_take_once(void)
{
	struct handoff		*h = handoff_new(1000);
	struct handoff_entry	 e1 = entry(7, 100, 1), e2 = entry(8, 100, 2);
	struct handoff_entry	 out;

	handoff_put(h, &e1);
	handoff_put(h, &e2);
	CU_ASSERT_EQUAL(handoff_count(h), 2);
	CU_ASSERT_EQUAL(handoff_take(h, 9, &out), -1);
	CU_ASSERT_EQUAL_FATAL(handoff_take(h, 8, &out), 0);
	CU_ASSERT_PTR_EQUAL(out.train, e2.train);
	CU_ASSERT_STRING_EQUAL(out.train->id, "X8");
	CU_ASSERT_STRING_EQUAL(out.sha256, e2.sha256);
	CU_ASSERT_EQUAL(out.raw_size, 100);
	CU_ASSERT_DOUBLE_EQUAL(out.parse_ms, 4.0, 1e-9);
	CU_ASSERT_EQUAL(out.at_ms, 2);
	manifest_train_free(out.train);		/* ownership passed */
	/* Gone once taken. */
	CU_ASSERT_EQUAL(handoff_take(h, 8, &out), -1);
	CU_ASSERT_STRING_EQUAL(ids_of(h), "7");
	handoff_free(h);			/* frees model 7 */
	handoff_free(NULL);
}

/* At most max_bytes behind the models: the oldest go; one too big never stays. */
static void
t_handoff_bounded_by_bytes(void)
{
	struct handoff		*h = handoff_new(100);
	struct handoff_entry	 e;
	long long		 id;

	for (id = 1; id <= 3; id++) {
		e = entry(id, 40, id);
		handoff_put(h, &e);
	}
	/* 120 bytes would not fit: the first went. */
	CU_ASSERT_STRING_EQUAL(ids_of(h), "2,3");
	e = entry(4, 100, 4);
	handoff_put(h, &e);
	CU_ASSERT_STRING_EQUAL(ids_of(h), "4");
	/* Bigger than the whole store: not held, nothing else dropped. */
	e = entry(5, 101, 5);
	handoff_put(h, &e);
	CU_ASSERT_STRING_EQUAL(ids_of(h), "4");
	e = entry(6, 0, 6);
	handoff_put(h, &e);
	CU_ASSERT_STRING_EQUAL(ids_of(h), "4,6");
	handoff_free(h);
}

/* Models left before at_ms are dropped; later ones stay, in order. */
static void
t_handoff_expire(void)
{
	struct handoff		*h = handoff_new(1 << 20);
	struct handoff_entry	 e, out;
	long long		 id;

	for (id = 1; id <= 4; id++) {
		e = entry(id, 10, id * 1000);
		handoff_put(h, &e);
	}
	handoff_expire(h, 1000);		/* none left before 1000 */
	CU_ASSERT_STRING_EQUAL(ids_of(h), "1,2,3,4");
	handoff_expire(h, 2500);
	CU_ASSERT_STRING_EQUAL(ids_of(h), "3,4");
	CU_ASSERT_EQUAL(handoff_take(h, 1, &out), -1);
	handoff_expire(h, 10000);
	CU_ASSERT_EQUAL(handoff_count(h), 0);
	CU_ASSERT_STRING_EQUAL(ids_of(h), "");
	handoff_free(h);
}

static CU_TestInfo handoff_tests[] = {
	{ "t_handoff_take_once", t_handoff_take_once },
	{ "t_handoff_bounded_by_bytes", t_handoff_bounded_by_bytes },
	{ "t_handoff_expire", t_handoff_expire },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("handoff", NULL, NULL, handoff_tests)
