/*
 * test_failclosed.c -- the cases of issue 17, each a manifest under
 * fixtures/failclosed/ (with its events or neighbour report) and the
 * decision document the default rule set must give it, byte for byte
 * apart from timing.  None of them may be RELEASE: each is a way a
 * train used to be released on goods or evidence railgate did not
 * understand.  clean.edi, the same train without the defect, is
 * RELEASE, so that the holds come from the defects and not from the
 * train.
 *
 * RAILGATE_FIXTURES_UPDATE=1 writes the expected documents instead of
 * comparing them (review the diff before committing it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/check.h"
#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "unit.h"

#define FC_DIR	"fixtures/failclosed/"

struct fc_case {
	const char	*name;		/* expected document: FC_DIR name.decision.json */
	const char	*manifest;
	const char	*events;	/* NULL: none */
	const char	*neighbour;	/* NULL: none */
	const char	*outcome;
};

static const struct fc_case cases[] = {
	/* Ivory and rifles of a listed party, placed nowhere. */
	{ "unplaced-listed", "unplaced-listed.edi", NULL, NULL, "HOLD" },
	/* Worked ivory in a container listed before any wagon. */
	{ "container-no-wagon", "container-no-wagon.edi", NULL, NULL, "HOLD" },
	/* Apples declared without an HS code: their wagon's documents. */
	{ "hs-missing", "hs-missing.edi", NULL, NULL, "PARTIAL_RELEASE" },
	{ "duplicate-wagon", "duplicate-wagon.edi", NULL, NULL, "HOLD" },
	{ "unt-count", "unt-count.edi", NULL, NULL, "HOLD" },
	{ "not-rail", "not-rail.edi", NULL, NULL, "HOLD" },
	{ "scan-suspect-container", "clean.edi",
	    "scan-suspect-container.events.json", NULL, "PARTIAL_RELEASE" },
	{ "scan-suspect-wagon", "clean.edi", "scan-suspect-wagon.events.json",
	    NULL, "PARTIAL_RELEASE" },
	{ "seal-check-number", "clean.edi", "seal-check-number.events.json",
	    NULL, "PARTIAL_RELEASE" },
	{ "seal-check-missing", "clean.edi", "seal-check-missing.events.json",
	    NULL, "PARTIAL_RELEASE" },
	/* A heavy reading, then a lighter one: the heavy one counts. */
	{ "weighbridge-lighter", "clean.edi", "weighbridge-lighter.events.json",
	    NULL, "PARTIAL_RELEASE" },
	{ "neighbour-scanned-suspect", "clean.edi", NULL,
	    "neighbour-scanned-suspect.neighbour.json", "PARTIAL_RELEASE" },
	{ "neighbour-seal-broken", "clean.edi", NULL,
	    "neighbour-seal-broken.neighbour.json", "PARTIAL_RELEASE" },
	{ "neighbour-held", "clean.edi", NULL, "neighbour-held.neighbour.json",
	    "PARTIAL_RELEASE" },
	/* The same train with nothing wrong: released. */
	{ "clean", "clean.edi", NULL, NULL, "RELEASE" },
};

static struct rules_ruleset *fc_rs;

static int
fc_init(void)
{
	struct diag_list	diags;

	diag_list_init(&diags, 0);
	fc_rs = rules_ruleset_load("etc/rules/default", &diags);
	diag_list_clear(&diags);
	return fc_rs == NULL ? -1 : 0;
}

static int
fc_clean(void)
{
	rules_ruleset_unref(fc_rs);
	return 0;
}

/* Loads FC_DIR file into ctx as events or neighbour data; 0 or -1. */
static int
fc_load(struct rules_context *ctx, const char *file, bool neighbour)
{
	char	*path = xasprintf(FC_DIR "%s", file), *data, *cause = NULL;
	size_t	 len;
	int	 rc = -1;

	if (file_read_all(path, &data, &len) == 0) {
		rc = (neighbour ? rules_context_load_neighbour :
		    rules_context_load_events)(ctx, data, len, path, &cause);
		free(data);
	}
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", path, cause != NULL ? cause :
		    "unreadable");
	free(cause);
	free(path);
	return rc;
}

/* The case's decision document without timing, or NULL. */
static char *
fc_decide(const struct fc_case *c)
{
	struct rules_eval_options two = { .threads = 2 };
	struct rules_context	*ctx = rules_context_new();
	struct decision		*d = NULL;
	struct buf		 doc = { 0 };
	char			*path = xasprintf(FC_DIR "%s", c->manifest);

	if ((c->events == NULL || fc_load(ctx, c->events, false) == 0) &&
	    (c->neighbour == NULL || fc_load(ctx, c->neighbour, true) == 0) &&
	    engine_check_file(fc_rs, path, ctx, &two, &d, NULL) ==
	    ENGINE_CHECK_DECIDED) {
		CU_ASSERT_STRING_EQUAL(decision_outcome_name(d->outcome),
		    c->outcome);
		if (strcmp(c->outcome, "RELEASE") != 0)
			CU_ASSERT_NOT_EQUAL(d->outcome, DECISION_OUTCOME_RELEASE);
		decision_json_write(d, DECISION_JSON_NO_TIMING, &doc);
		buf_add(&doc, "\n", 1);
		buf_add(&doc, "", 1);
	}
	decision_free(d);
	rules_context_free(ctx);
	free(path);
	return doc.data;
}

/* Compares (or, when updating, writes) the expected document of c. */
static void
fc_expect(const struct fc_case *c, const char *doc)
{
	char	*path = xasprintf(FC_DIR "%s.decision.json", c->name);
	char	*want = NULL;
	size_t	 len;
	FILE	*f;

	if (getenv("RAILGATE_FIXTURES_UPDATE") != NULL) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(path, "w"));
		fputs(doc, f);
		CU_ASSERT_EQUAL(fclose(f), 0);
	} else if (file_read_all(path, &want, &len) < 0) {
		fprintf(stderr, "%s: missing\n", path);
		CU_FAIL("expected decision document missing");
	} else if (strcmp(want, doc) != 0) {
		fprintf(stderr, "%s differs:\n  want %s  got  %s", path, want,
		    doc);
		CU_FAIL("decision document differs from the fixture");
	}
	free(want);
	free(path);
}

/* Every case gives its outcome and exactly its expected document. */
static void
t_failclosed_cases(void)
{
	size_t	i;
	char	*doc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		doc = fc_decide(&cases[i]);
		CU_ASSERT_PTR_NOT_NULL(doc);
		if (doc == NULL) {
			fprintf(stderr, "%s: not decided\n", cases[i].name);
			continue;
		}
		fc_expect(&cases[i], doc);
		free(doc);
	}
}

/* A manifest cut short is not decided at all: refused, never released. */
static void
t_failclosed_truncated_refused(void)
{
	struct decision		*d = NULL;
	struct manifest_train	*t = NULL;

	CU_ASSERT_EQUAL(engine_check_file(fc_rs, FC_DIR "truncated.edi", NULL,
	    NULL, &d, &t), ENGINE_CHECK_NOT_MANIFEST);
	CU_ASSERT_PTR_NULL(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "TRUNCATED"));
	manifest_train_free(t);
}

static CU_TestInfo failclosed_tests[] = {
	{ "every case decides as its fixture", t_failclosed_cases },
	{ "a truncated manifest is refused", t_failclosed_truncated_refused },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("failclosed", fc_init, fc_clean, failclosed_tests)
