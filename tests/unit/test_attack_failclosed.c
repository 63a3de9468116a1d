/*
 * test_attack_failclosed.c -- holes found by playing the adversary
 * against issue 17 (fail closed), below the daemon; each test failed
 * before its fix.
 *
 * attack_failclosed:
 * - an event body the API takes is one the evaluator can load again, for
 *   ever: a member nested to jansson's depth limit was taken and every
 *   later evaluation of the train failed ("stored events: maximum
 *   parsing depth reached"); members an event does not have (a seal
 *   check's "wagon", which add_event() checked in place of its
 *   "equipment") are refused;
 * - a rule set's test trains prove nothing by lines that look at
 *   nothing: `no-hit RULE W` for a wagon the train does not have (a rule
 *   firing on every wagon was "shown not firing"), an unknown line, a
 *   file outside tests/ (`manifest ../x.edi`: not in the stored pack, so
 *   not in the hash the proof is named by), a line after the train was
 *   decided.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/check.h"
#include "engine/decide.h"
#include "engine/ruleset.h"
#include "manifest/util.h"
#include "rules/context.h"
#include "rules/rules.h"

#include "daemon/api/event_body.h"

#include "unit.h"

/*
 * Whether body, once the API took it (parse and an officer's admit), is
 * loaded by the evaluator: stored as the API stores it, wrapped as
 * claim_evaluations() hands the events over.  -1 when the API refused it.
 */
static int
api_then_load(const char *body, char *why, size_t size)
{
	json_t			*o;
	const char		*type, *device;
	char			*canon, *events, *cause = NULL;
	struct rules_context	*ctx;
	int			 rc;

	if (event_body_parse((const unsigned char *)body, strlen(body), &o,
	    &type, why, size) != 0)
		return -1;
	if (event_body_admit(o, type, AUTH_OFFICER, "o.one", &device, why,
	    size) != 0) {
		json_decref(o);
		return -1;
	}
	canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	events = xasprintf("[{\"id\": 1, \"type\": \"%s\", \"body\": %s}]",
	    type, canon);
	ctx = rules_context_new();
	rc = decide_load_events(ctx, events, &cause);
	if (rc != 0)
		snprintf(why, size, "taken, then not loaded: %s", cause);
	free(cause);
	rules_context_free(ctx);
	free(events);
	free(canon);
	json_decref(o);
	return rc == 0 ? 0 : 1;
}

/* {"type": type, <fields>, "x": [[...]]} nested depth deep. */
static char *
nested_body(const char *head, int depth)
{
	struct buf	b = { 0 };
	int		i;

	buf_printf(&b, "{%s, \"x\": ", head);
	for (i = 0; i < depth; i++)
		buf_add(&b, "[", 1);
	for (i = 0; i < depth; i++)
		buf_add(&b, "]", 1);
	buf_add(&b, "}", 1);
	return buf_steal(&b, NULL);
}

/* Whatever the API takes loads; what would not is refused with 422. */
static void
t_attack_event_taken_is_loaded(void)
{
	static const char *const heads[] = {
		"\"type\": \"position\", \"eta\": \"2026-11-22T09:15:00Z\"",
		"\"type\": \"arrived\"",
		"\"type\": \"weighbridge\", \"wagon\": \"315279550018\", "
		    "\"gross_kg\": 61200",
		"\"type\": \"scan\", \"wagon\": \"315279550018\", "
		    "\"result\": \"clear\"",
		"\"type\": \"seal_check\", \"equipment\": \"315279550018\", "
		    "\"seal\": \"KZ1\", \"condition\": \"intact\"",
	};
	/* jansson reads 2048 levels; the evaluator's wrapping takes two. */
	static const int depths[] = { 1, 100, 1000, 2045, 2046, 2047 };
	char	why[320], *body;
	size_t	i, k;

	for (i = 0; i < nitems(heads); i++) {
		body = xasprintf("{%s}", heads[i]);
		CU_ASSERT_EQUAL(api_then_load(body, why, sizeof why), 0);
		free(body);
		/* Taken, it would load; but no member nests at all. */
		for (k = 0; k < nitems(depths); k++) {
			body = nested_body(heads[i], depths[k]);
			CU_ASSERT_NOT_EQUAL(api_then_load(body, why, sizeof why),
			    1);
			CU_ASSERT_EQUAL(api_then_load(body, why, sizeof why), -1);
			free(body);
		}
	}
	body = nested_body(heads[0], 2046);
	CU_ASSERT_EQUAL(api_then_load(body, why, sizeof why), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "\"x\" is not a member of a "
	    "position event"));
	free(body);
}

/*
 * A seal check names its equipment once: a stray "wagon" is refused; a
 * device or seal that a reason quotes is one line of text.
 */
static void
t_attack_event_stray_member_refused(void)
{
	static const char *const bodies[] = {
		"{\"type\": \"seal_check\", \"equipment\": \"XXXX0000000\", "
		    "\"wagon\": \"315279550018\", \"seal\": \"KZ1\", "
		    "\"condition\": \"missing\"}",
		"{\"type\": \"seal_check\", \"equipment\": \"XXXX0000000\", "
		    "\"container\": \"CSQU3054383\", \"seal\": \"KZ1\", "
		    "\"condition\": \"missing\"}",
		/* A misspelt re-weigh is not a plain reading. */
		"{\"type\": \"weighbridge\", \"wagon\": \"315279550018\", "
		    "\"gross_kg\": 30000, \"re_weigh\": true}",
		"{\"type\": \"arrived\", \"wagon\": \"315279550018\"}",
	};
	/* Texts a reason quotes are one line. */
	static const char *const forged[] = {
		"{\"type\": \"weighbridge\", \"wagon\": \"315279550018\", "
		    "\"gross_kg\": 30000, \"device\": \"WB-1\\nwagon "
		    "315279550026: released by the supervisor\"}",
		"{\"type\": \"seal_check\", \"equipment\": \"TGHU1234567\", "
		    "\"seal\": \"CN1\\u001b[2K\", \"condition\": \"intact\"}",
	};
	json_t		*o;
	const char	*type;
	char		 why[320];
	size_t		 i;

	for (i = 0; i < nitems(bodies); i++) {
		CU_ASSERT_EQUAL(event_body_parse((const unsigned char *)
		    bodies[i], strlen(bodies[i]), &o, &type, why, sizeof why),
		    422);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "is not a member of"));
		CU_ASSERT_PTR_NULL(o);
	}
	for (i = 0; i < nitems(forged); i++) {
		CU_ASSERT_EQUAL(event_body_parse((const unsigned char *)
		    forged[i], strlen(forged[i]), &o, &type, why, sizeof why),
		    422);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "without control characters"));
		json_decref(o);
	}
}

/* A copy of the default rule set with a rule that fires on every wagon. */
static char *
ruleset_with_everywhere(void)
{
	char	*dir = xstrdup("/tmp/railgate-attack-XXXXXX");
	char	 cmd[256];
	FILE	*f;

	if (mkdtemp(dir) == NULL) {
		free(dir);
		return NULL;
	}
	snprintf(cmd, sizeof cmd, "cp -R etc/rules/default/. %s/ && "
	    "cp %s/tests/alashankou.edi %s/outside.edi", dir, dir, dir);
	if (system(cmd) != 0) {
		free(dir);
		return NULL;
	}
	snprintf(cmd, sizeof cmd, "%s/main.rules", dir);
	if ((f = fopen(cmd, "a")) == NULL) {
		free(dir);
		return NULL;
	}
	fputs("\nrule everywhere\n  scope wagon\n  action AUDIT\n"
	    "  when true\n  reason \"every wagon\"\n"
	    "  would_pass_if \"never\"\nend\n", f);
	fclose(f);
	return dir;
}

/* Writes dir/tests/zz.test; 0 or -1. */
static int
put_test(const char *dir, const char *text)
{
	char	 path[256];
	FILE	*f;

	snprintf(path, sizeof path, "%s/tests/zz.test", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The reason ruleset_load gives for dir, owned; NULL when it loads. */
static char *
load_cause(const char *dir)
{
	struct ruleset_load	 l;
	char			*cause = NULL;

	if (ruleset_load(dir, &l, &cause) == 0) {
		ruleset_load_clear(&l);
		return NULL;
	}
	return cause != NULL ? cause : xstrdup("?");
}

/* Test lines that look at nothing prove nothing: the rule set is refused. */
static void
t_attack_ruleset_vacuous_proof_refused(void)
{
	static const struct {
		const char	*test;
		const char	*cause;
	} cases[] = {
		/* A wagon the train does not have. */
		{ "manifest alashankou.edi\nhit everywhere 315279550018\n"
		    "no-hit everywhere 999999999999\n",
		    "the train has no wagon 999999999999" },
		/* A misspelt key is not a pass. */
		{ "manifest alashankou.edi\nhit everywhere\n"
		    "nohit everywhere\n", "unknown line 'nohit'" },
		/* A file outside tests/: not stored, not in the hash. */
		{ "manifest ../outside.edi\nhit everywhere\n",
		    "a test names a file beside it" },
		{ "events ../../../../etc/passwd\nmanifest alashankou.edi\n"
		    "hit everywhere\n", "a test names a file beside it" },
		/* Evidence after the decision is read by nothing. */
		{ "manifest alashankou.edi\nhit everywhere\n"
		    "events weighbridge.events.json\n",
		    "'events' after an expectation" },
	};
	char	*dir = ruleset_with_everywhere(), *cause, cmd[256];
	size_t	 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	for (i = 0; i < nitems(cases); i++) {
		CU_ASSERT_EQUAL_FATAL(put_test(dir, cases[i].test), 0);
		cause = load_cause(dir);
		CU_ASSERT_PTR_NOT_NULL(cause);
		if (cause != NULL && strstr(cause, cases[i].cause) == NULL) {
			fprintf(stderr, "case %zu: %s\n", i, cause);
			CU_FAIL("refused for another reason");
		}
		free(cause);
	}
	/* Not a train hit is no proof a wagon rule can stay quiet. */
	CU_ASSERT_EQUAL_FATAL(put_test(dir, "manifest alashankou.edi\n"
	    "hit everywhere 315279550018\nno-hit everywhere train\n"), 0);
	cause = load_cause(dir);
	CU_ASSERT_PTR_NOT_NULL(cause);
	free(cause);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(dir);
}

static CU_TestInfo attack_tests[] = {
	{ "t_attack_event_taken_is_loaded", t_attack_event_taken_is_loaded },
	{ "t_attack_event_stray_member_refused",
	    t_attack_event_stray_member_refused },
	{ "t_attack_ruleset_vacuous_proof_refused",
	    t_attack_ruleset_vacuous_proof_refused },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("attack_failclosed", NULL, NULL, attack_tests)
