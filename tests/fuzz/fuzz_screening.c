/*
 * fuzz_screening.c -- libFuzzer target: any bytes as an edition-3 list
 * file (docs/screening.md: entries, aka/country/id attributes, scripts,
 * identifier shapes) under a rule set that screens every party with
 * `possible at` and `unless cleared`; a list that loads is then screened
 * against a small generated train on one thread.  The loader must refuse
 * with file and line, never crash.  Seeded from fixtures/screening/.
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

static const char main_rules[] =
    "edition 3\n"
    "list sanctioned from \"lists/s.txt\"\n"
    "legal forms from \"lists/forms.txt\"\n"
    "rule sanctions\n scope consignment\n action HOLD\n"
    " when party matches list sanctioned at 0.9 possible at 0.7"
    " unless cleared\n reason \"{match}\"\nend\n"
    "rule named\n scope item\n action AUDIT\n"
    " when consignee.name matches list sanctioned at 0.8\n"
    " reason \"{match}\"\nend\n";
static const char forms[] = "LLP\nLLC\nCo Ltd\nТОО\nООО\n有限公司\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_file		 files[3];
	struct rules_eval_options	 opt = { 1 };
	struct rules_ruleset		*rs;
	struct decision			*d = NULL;
	struct diag_list		 diags;

	if (train == NULL) {
		struct gen_options o = { 3, 40, 7, true, 12 };

		train = gen_train(&o);
	}
	diag_list_init(&diags, 0);
	files[0] = (struct rules_file){ "lists/forms.txt", NULL, forms,
	    sizeof forms - 1 };
	files[1] = (struct rules_file){ "lists/s.txt", NULL,
	    (const char *)data, size };
	files[2] = (struct rules_file){ "main.rules", NULL, main_rules,
	    sizeof main_rules - 1 };
	rs = rules_ruleset_compile("fuzz", files, 3, &diags);
	if (rs != NULL) {
		if (rules_evaluate(rs, train, NULL, &opt, &d) == 0)
			decision_free(d);
		rules_ruleset_unref(rs);
	}
	diag_list_clear(&diags);
	return 0;
}
