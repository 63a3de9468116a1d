/*
 * test_document_event.c -- a document an officer accepted, as the rules
 * read it (docs/documents.md): the stored event {type: document,
 * consignment, code} makes `has document CODE` hold for the items of
 * that consignment (of every consignment when it names none) through
 * engine/decide.c, the path the daemon, `railgate check --events` and
 * `railgate replay` share; another consignment or another code changes
 * nothing; a malformed one is refused, saying what; every edition reads
 * it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "engine/decide.h"
#include "manifest/decision.h"
#include "manifest/diag.h"
#include "manifest/model.h"
#include "manifest/util.h"
#include "rules/context.h"
#include "rules/rules.h"

#include "unit.h"

#define GRAPES_WAGON	"315279550026"

static struct rules_ruleset	*rs;
static struct manifest_train	*train;

static int
docev_suite_init(void)
{
	struct diag_list	 l;
	unsigned char		*z;
	char			*data, sha[65], *cause = NULL;
	size_t			 len;
	uLongf			 zlen;
	double			 ms;

	diag_list_init(&l, 0);
	rs = rules_ruleset_load("etc/rules/default", &l);
	diag_list_clear(&l);
	if (rs == NULL)
		return -1;
	data = test_read_fixture("xml/cuscar_s3_alashankou.xml", &len);
	zlen = compressBound((uLong)len);
	z = xmalloc(zlen);
	if (compress2(z, &zlen, (const Bytef *)data, (uLong)len, 6) != Z_OK ||
	    decide_parse_stored(z, zlen, &train, sha, &ms, &cause) < 0) {
		free(cause);
		train = NULL;
	}
	free(z);
	free(data);
	return train != NULL ? 0 : -1;
}

static int
docev_suite_clean(void)
{
	manifest_train_free(train);
	rules_ruleset_unref(rs);
	return 0;
}

/* The grapes' wagon's action after the stored events (NULL: refused). */
static const char *
grapes_action(const char *events, char **cause)
{
	static char		 action[16];
	struct decision		*d;
	size_t			 i;

	*cause = NULL;
	if ((d = decide_evaluate(rs, train, events, NULL, NULL, NULL, cause)) ==
	    NULL)
		return NULL;
	snprintf(action, sizeof action, "?");
	for (i = 0; i < d->nwagons; i++)
		if (strcmp(d->wagons[i].wagon, GRAPES_WAGON) == 0)
			snprintf(action, sizeof action, "%s",
			    decision_action_name(d->wagons[i].action));
	decision_free(d);
	return action;
}

/* One stored document event (consignment a JSON value) as events. */
static char *
doc_events(const char *consignment, const char *code)
{
	return xasprintf("[{\"id\": 9, \"type\": \"document\", \"body\": "
	    "{\"type\": \"document\", \"consignment\": %s, \"code\": \"%s\", "
	    "\"sha256\": \"%064d\", \"document\": 3}, \"at\": "
	    "\"2026-11-22T10:00:00Z\", \"legacy\": false}]", consignment, code,
	    0);
}

/* Accepted for the grapes' consignment: the phyto check passes. */
static void
t_docev_consignment_releases(void)
{
	char		*ev, *cause;
	const char	*a;

	a = grapes_action("[]", &cause);
	CU_ASSERT_STRING_EQUAL(a != NULL ? a : "", "DOC_CHECK");
	ev = doc_events("\"SMGS 24170091\"", "851");
	a = grapes_action(ev, &cause);
	CU_ASSERT_STRING_EQUAL(a != NULL ? a : "", "RELEASE");
	free(cause);
	free(ev);
	/* For the whole train: every consignment's items. */
	ev = doc_events("null", "851");
	a = grapes_action(ev, &cause);
	CU_ASSERT_STRING_EQUAL(a != NULL ? a : "", "RELEASE");
	free(cause);
	free(ev);
}

/* Another consignment's, or another code: nothing changes. */
static void
t_docev_other_changes_nothing(void)
{
	char		*ev, *cause;
	const char	*a;

	ev = doc_events("\"SMGS 24170088\"", "851");
	a = grapes_action(ev, &cause);
	CU_ASSERT_STRING_EQUAL(a != NULL ? a : "", "DOC_CHECK");
	free(cause);
	free(ev);
	ev = doc_events("\"SMGS 24170091\"", "853");
	a = grapes_action(ev, &cause);
	CU_ASSERT_STRING_EQUAL(a != NULL ? a : "", "DOC_CHECK");
	free(cause);
	free(ev);
}

/* A malformed document event is refused, naming what is wrong. */
static void
t_docev_malformed_refused(void)
{
	char		*ev, *cause;
	const char	*a;

	ev = doc_events("\"SMGS 24170091\"", "85");
	a = grapes_action(ev, &cause);
	CU_ASSERT_PTR_NULL(a);
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause, "three digits") :
	    NULL);
	free(cause);
	free(ev);
	ev = doc_events("17", "851");
	a = grapes_action(ev, &cause);
	CU_ASSERT_PTR_NULL(a);
	CU_ASSERT_PTR_NOT_NULL(cause != NULL ? strstr(cause, "consignment") :
	    NULL);
	free(cause);
	free(ev);
}

/* Every edition reads it, as `railgate check --events` gives it. */
static void
t_docev_every_edition(void)
{
	const char	*events = "[{\"type\": \"document\", \"code\": \"911\", "
	    "\"consignment\": \"C-1\"}, {\"type\": \"document\", \"code\": "
	    "\"853\"}]";
	int		 edition;

	for (edition = 1; edition <= 3; edition++) {
		struct rules_context	*ctx = rules_context_new();
		char			*cause = NULL;

		rules_context_set_edition(ctx, edition);
		CU_ASSERT_EQUAL(rules_context_load_events(ctx, events,
		    strlen(events), "events", &cause), 0);
		CU_ASSERT(rules_context_has_document(ctx, "C-1", "911"));
		CU_ASSERT_FALSE(rules_context_has_document(ctx, "C-2", "911"));
		CU_ASSERT_FALSE(rules_context_has_document(ctx, NULL, "911"));
		CU_ASSERT(rules_context_has_document(ctx, "C-2", "853"));
		CU_ASSERT(rules_context_has_document(ctx, NULL, "853"));
		CU_ASSERT_FALSE(rules_context_has_document(ctx, "C-1", "851"));
		free(cause);
		rules_context_free(ctx);
	}
	CU_ASSERT_FALSE(rules_context_has_document(NULL, "C-1", "911"));
}

static CU_TestInfo docev_tests[] = {
	{ "t_docev_consignment_releases", t_docev_consignment_releases },
	{ "t_docev_other_changes_nothing", t_docev_other_changes_nothing },
	{ "t_docev_malformed_refused", t_docev_malformed_refused },
	{ "t_docev_every_edition", t_docev_every_edition },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("document_event", docev_suite_init, docev_suite_clean,
    docev_tests);
