/*
 * approval.h -- what approving a train now would do (api_approval.c):
 * one plan, built by the approval (api_officers.c) and by its preview
 * (GET /v1/trains/{id}/approval), so that the preview cannot differ from
 * what the approval then does.  Loop thread only.
 */
#ifndef DAEMON_API_APPROVAL_H
#define DAEMON_API_APPROVAL_H

#include <stdbool.h>
#include <stddef.h>

struct decision;
struct http_ctx;
struct store_final_inputs;

/*
 * What approving (or amending) now would store, and why an approval would
 * be refused.
 */
struct approval {
	struct decision	*d;		/* the final decision; owned */
	int		 confirm;	/* it confirms the proposals */
	size_t		 pending;	/* wagons still at DOC_CHECK */
	int		 status;	/* 0, or the refusal's HTTP status */
	const char	*title;		/* the refusal's */
	char		*detail;	/* the refusal's; owned */
};

/*
 * The plan of an approval (approve; else an amendment after a resolution)
 * of in's train by c's principal: the provisional document with the
 * resolutions applied and the outcome consolidated again (decide_final),
 * and, for an approval, why it is refused (an override it may not
 * confirm: 403; document checks pending: 409).  0, or -1 with *cause
 * (caller frees).  approval_clear() frees what it holds.
 */
int approval_plan(struct http_ctx *c, const struct store_final_inputs *in,
    int approve, struct approval *a, char **cause);
void approval_clear(struct approval *a);

/* The version a preview names: the decision's id and fingerprint (owned). */
char *approval_version(const struct store_final_inputs *in);

/*
 * Answers 409 (true) when in's train cannot be finalized now: no
 * decision, an evaluation on its way, a cancelled manifest.
 */
bool approval_not_ready(struct http_ctx *c,
    const struct store_final_inputs *in);

#endif
