/*
 * screen.h -- edition-3 party screening for the evaluator (screen.c,
 * docs/screening.md).  Internal to rules/eval*.c and screen.c.
 */
#ifndef RULES_SCREEN_H
#define RULES_SCREEN_H

#include <stdbool.h>

struct eval_frame;
struct rules_node;

enum screen_strength {
	SCREEN_NONE,
	SCREEN_POSSIBLE,	/* between the possible and strong thresholds */
	SCREEN_STRONG,		/* an identifier, or at the strong threshold */
};

/*
 * How much a name score is lowered when the party's identifier has the
 * shape of a scheme the entry carries and differs from each of them.
 */
#define SCREEN_ID_PENALTY 0.10

/*
 * The `matches list` test n (edition 3) at the frame: text is the
 * subject's text when it is a name (NULL for a party subject); stable
 * when that text's address may key the evaluation's memo.  True for a
 * strong match, or a possible one outside the frame's strict pass; the
 * frame's match_text and match_strength keep the strongest found.
 */
bool screen_eval(const struct rules_node *n, struct eval_frame *f,
    const char *text, bool stable);

/*
 * How many names were scored against a list (the expensive part of
 * screening, keyed once per node and name text in the evaluation's memo)
 * since the process started, over every thread: for tests and
 * benchmarks.
 */
unsigned long long screen_computations(void);

#endif
