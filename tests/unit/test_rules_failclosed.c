/*
 * test_rules_failclosed.c -- the rule language's fail-closed edition
 * (issue 17): the `edition` directive, goods placed on no wagon judged
 * as train hits, diagnostics tested by severity and scoped to their
 * subject, and the number formatting of reasons.  Trains are EDIFACT
 * texts written here, so that a diagnostic's segment is known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edi/reader.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "unit.h"

/* Compiles text as main.rules; NULL with the first error in err. */
static struct rules_ruleset *
fc_compile(const char *text, char *err, size_t errsize)
{
	struct rules_file	 f = { "main.rules", NULL, text, strlen(text) };
	struct diag_list	 l;
	struct rules_ruleset	*rs;

	diag_list_init(&l, 0);
	rs = rules_ruleset_compile("fc", &f, 1, &l);
	if (err != NULL) {
		err[0] = '\0';
		if (l.n > 0)
			snprintf(err, errsize, "%s:%u:%u: %s", l.v[0].loc.file,
			    l.v[0].loc.line, l.v[0].loc.col, l.v[0].message);
	}
	diag_list_clear(&l);
	return rs;
}

/* The first compile error of text ("" if it compiles); static buffer. */
static const char *
fc_error(const char *text)
{
	static char		 err[512];
	struct rules_ruleset	*rs = fc_compile(text, err, sizeof err);

	rules_ruleset_unref(rs);
	return err;
}

static void
t_rules_failclosed_edition_parse(void)
{
	struct rules_ruleset	*rs;
	const char		*rule = "rule r scope train action AUDIT "
				    "when true reason \"r\" end\n";
	char			 text[512];

	rs = fc_compile(rule, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rules_ruleset_edition(rs), 1);
	rules_ruleset_unref(rs);
	snprintf(text, sizeof text, "ruleset \"x\"\nedition 2\n%s", rule);
	rs = fc_compile(text, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rules_ruleset_edition(rs), 2);
	rules_ruleset_unref(rs);
	snprintf(text, sizeof text, "edition 1\n%s", rule);
	rs = fc_compile(text, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(rules_ruleset_edition(rs), 1);
	rules_ruleset_unref(rs);
}

static void
t_rules_failclosed_edition_errors(void)
{
	CU_ASSERT_STRING_EQUAL(fc_error("ruleset \"x\"\n  edition 3\n"),
	    "main.rules:2:11: this rule set needs edition 3; this railgate "
	    "knows editions 1 and 2");
	CU_ASSERT_STRING_EQUAL(fc_error("edition 2\nedition 2\n"),
	    "main.rules:2:1: 'edition' is given twice: a rule set has one "
	    "edition");
	CU_ASSERT_STRING_EQUAL(fc_error("edition two\n"),
	    "main.rules:1:9: expected an edition number (1 or 2), found 'two'");
	CU_ASSERT_STRING_EQUAL(fc_error("edition 1.5\n"),
	    "main.rules:1:9: expected an edition number (1 or 2), found '1.5'");
	CU_ASSERT_STRING_EQUAL(fc_error("edition 0\n"),
	    "main.rules:1:9: expected an edition number (1 or 2), found '0'");
}

static CU_TestInfo rules_failclosed_tests[] = {
	{ "t_rules_failclosed_edition_parse", t_rules_failclosed_edition_parse },
	{ "t_rules_failclosed_edition_errors", t_rules_failclosed_edition_errors },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("rules_failclosed", NULL, NULL, rules_failclosed_tests)
