/*
 * decide.h -- the steps of a decision that the daemon and an auditor's
 * replay (`railgate replay`) must take identically: the stored events
 * into a rules context, and a final decision built from the provisional
 * one and the officers' resolutions.  One implementation, so that a
 * replay cannot drift from what the daemon did.  Pure; any thread.
 */
#ifndef DAEMON_DECIDE_H
#define DAEMON_DECIDE_H

struct decision;
struct rules_context;

/*
 * The stored events of a train (a JSON array of {id, type, body, at}, in
 * order) into ctx: the neighbour's reports ("neighbour") as neighbour
 * data, the bodies of the others as events.  0, or -1 with *cause
 * (caller frees).
 */
int decide_load_events(struct rules_context *ctx, const char *events,
    char **cause);

/*
 * The final decision made from the decision document base and the wagons'
 * resolutions (a JSON array of {position, action}): each resolved wagon
 * takes its resolution as its action, the outcome is consolidated again,
 * final is set.  A new decision (caller frees), or NULL with *cause.
 */
struct decision *decide_final(const char *base, const char *resolutions,
    char **cause);

#endif
