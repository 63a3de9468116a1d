/*
 * fuzz_rules.c -- libFuzzer target: any text through the rule-language
 * compiler (rules/lang.c) as a rule set's main.rules, beside the
 * default rule set's lists; a rule set that compiles is then evaluated
 * against a small generated train on one thread.  Jansson's and our
 * allocations are real: the compiler must refuse, never crash.  Seeded
 * from fixtures/rules/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "manifest/decision.h"
#include "manifest/diag.h"
#include "manifest/gen.h"
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct manifest_train	*train;

/* A list file the rules may name; the real ones are larger. */
static const char hs_list[] = "0808\n0806\n8703\n";
static const char party_list[] = "ACME SANCTIONED LLP\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_file		 files[3];
	struct rules_eval_options	 opt = { 1 };
	struct rules_ruleset		*rs;
	struct decision			*d = NULL;
	struct diag_list		 diags;

	if (train == NULL) {
		struct gen_options o = { 3, 12, 7, false, 0 };

		train = gen_train(&o);
	}
	diag_list_init(&diags, 0);
	files[0] = (struct rules_file){ "lists/hs.txt", NULL, hs_list,
	    sizeof hs_list - 1 };
	files[1] = (struct rules_file){ "lists/parties.txt", NULL, party_list,
	    sizeof party_list - 1 };
	files[2] = (struct rules_file){ "main.rules", NULL, (const char *)data,
	    size };
	rs = rules_ruleset_compile("fuzz", files, 3, &diags);
	if (rs != NULL) {
		if (rules_evaluate(rs, train, NULL, &opt, &d) == 0)
			decision_free(d);
		rules_ruleset_unref(rs);
	}
	diag_list_clear(&diags);
	return 0;
}
