/*
 * eval_sample.c -- the draw of `sample` (docs/rules.md): a number in
 * [0, 1) from SHA-256 of the rule set, the train, the wagon and the
 * rule's name, so a wagon is selected or not the same way on every
 * machine and every replay; and the frame's one-draw cache.
 */
#include <string.h>

#include <openssl/evp.h>

#include "eval.h"
#include "eval_int.h"
#include "lang.h"

/* The draw of `sample` in [0, 1): SHA-256 of rule set, train, wagon, rule. */
double
rules_eval_draw(const struct rules_ruleset *rs, const char *train,
    const char *wagon, const char *rule)
{
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	unsigned char	 out[32];
	uint64_t	 v = 0;
	int		 i;

	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, rs->hash, strlen(rs->hash) + 1);
	EVP_DigestUpdate(md, train == NULL ? "" : train,
	    train == NULL ? 1 : strlen(train) + 1);
	EVP_DigestUpdate(md, wagon == NULL ? "" : wagon,
	    wagon == NULL ? 1 : strlen(wagon) + 1);
	EVP_DigestUpdate(md, rule, strlen(rule));
	EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
	for (i = 0; i < 8; i++)
		v = v << 8 | out[i];
	return (double)(v >> 11) / 9007199254740992.0;
}

/*
 * The draw of `sample` for the frame's wagon and rule: rules of one name
 * (two `random` rules) draw the same number, so a wagon hashes it once.
 * A frame is one wagon's (eval.c).
 */
double
eval_sample_draw(struct eval_frame *f)
{
	if (f->draw_rule == NULL || strcmp(f->draw_rule, f->rule->name) != 0) {
		f->draw = rules_eval_draw(f->rs, f->t->id, f->w->number,
		    f->rule->name);
		f->draw_rule = f->rule->name;
	}
	return f->draw;
}
