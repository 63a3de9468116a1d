/*
 * problem.c -- the table of problem types (see problem.h).
 *
 * One row per title: adding a problem to a handler or an SQL function
 * means a row here and a section in docs/problems.md (the unit test
 * problems refuses a title found in neither).  Rows in the order of
 * docs/problems.md, grouped by what they are about.
 */
#include <string.h>

#include "manifest/util.h"

#include "daemon/problem.h"

#define T(slug, title, status)	{ PROBLEM_URI_PREFIX slug, title, status }

static const struct problem_type problem_table[] = {
	/* Manifests and the neighbour's messages */
	T("manifest-not-stored", "Manifest not stored", 500),
	T("unreadable-manifest", "Unreadable manifest", 422),
	T("idempotency-key-reused", "Idempotency-Key reused", 422),
	T("carrier-not-bound", "Carrier not bound to this token", 403),
	T("message-refused", "Message refused", 0),
	T("message-not-usable", "Message not usable", 0),
	T("unusable-manifest", "Unusable manifest", 0),
	T("unknown-message", "Unknown message", 404),
	/* Events */
	T("unprocessable-event", "Unprocessable Event", 422),
	T("arrival-without-zone", "Arrival time without a zone", 422),
	T("arrival-out-of-bounds", "Arrival time out of bounds", 422),
	T("unknown-equipment", "Unknown equipment", 422),
	T("unknown-parcel", "Unknown parcel", 422),
	T("manifest-replaced", "Manifest replaced", 409),
	T("nothing-to-unload", "Nothing to unload", 409),
	/* Officers' resolutions */
	T("unknown-wagon", "Unknown wagon", 0),
	T("unknown-action", "Unknown action", 422),
	T("reason-required", "Reason required", 422),
	T("reason-too-long", "Reason too long", 422),
	T("reason-unreadable", "Reason unreadable", 422),
	T("invalid-wagons", "Invalid wagons", 422),
	T("wagons-refused", "Wagons refused", 0),
	T("invalid-goods-resolution", "Invalid goods resolution", 422),
	T("invalid-version", "Invalid version", 422),
	T("nothing-to-resolve", "Nothing to resolve", 409),
	T("already-resolved", "Already resolved", 409),
	T("goods-must-be-located", "Goods must be located", 409),
	T("no-such-goods-hit", "No such goods hit", 404),
	T("decision-changed", "Decision changed", 409),
	/* Four eyes: supervisors, overrides, proposals */
	T("supervisor-needed", "Supervisor needed", 403),
	T("four-eyes", "Four eyes", 403),
	T("override-awaiting-confirmation", "Override awaiting confirmation",
	    0),
	T("no-override-to-confirm", "No override to confirm", 409),
	T("no-override-to-reject", "No override to reject", 409),
	T("proposal-awaiting-confirmation", "Proposal awaiting confirmation",
	    409),
	T("unknown-proposal", "Unknown proposal", 404),
	T("no-proposal-to-confirm", "No proposal to confirm", 409),
	T("no-proposal-to-reject", "No proposal to reject", 409),
	T("no-such-train-hit", "No such train hit", 404),
	T("nothing-to-clear", "Nothing to clear", 409),
	T("already-cleared", "Already cleared", 409),
	T("clearing-awaiting-confirmation", "Clearing awaiting confirmation",
	    403),
	/* Approval and taking a train */
	T("not-ready", "Not ready", 409),
	T("document-checks-pending", "Document checks pending", 409),
	T("parcels-to-unload", "Parcels to unload", 409),
	T("not-released", "Not released", 409),
	T("nothing-to-take", "Nothing to take", 409),
	/* Parcels (docs/parcels.md) */
	T("invalid-parcel-resolution", "Invalid parcel resolution", 422),
	T("no-parcel-set-aside", "No parcel set aside", 409),
	T("parcel-detained", "Parcel detained", 409),
	T("invalid-parcel-filter", "Invalid parcel filter", 422),
	/* Screening clearances */
	T("invalid-clearance", "Invalid clearance", 422),
	T("invalid-decision", "Invalid decision", 422),
	T("unknown-clearance", "Unknown clearance", 404),
	T("no-clearance-to-confirm", "No clearance to confirm", 409),
	T("no-clearance-to-reject", "No clearance to reject", 409),
	T("no-clearance-to-revoke", "No clearance to revoke", 409),
	/* Documents */
	T("invalid-document-code", "Invalid document code", 422),
	T("invalid-consignment", "Invalid consignment", 422),
	T("unknown-consignment", "Unknown consignment", 404),
	/* Subscriptions and replays */
	T("invalid-subscription", "Invalid subscription", 422),
	T("notices-pending", "Notices pending", 409),
	T("subscription-deleted", "Subscription deleted", 409),
	T("invalid-selection", "Invalid selection", 422),
	T("unknown-replay", "Unknown replay", 404),
};

const struct problem_type *
problem_type_find(const char *title)
{
	size_t	i;

	if (title == NULL)
		return NULL;
	for (i = 0; i < nitems(problem_table); i++)
		if (strcmp(problem_table[i].title, title) == 0)
			return &problem_table[i];
	return NULL;
}

const char *
problem_type_uri(const char *title)
{
	const struct problem_type	*t = problem_type_find(title);

	return t != NULL ? t->uri : "about:blank";
}

const struct problem_type *
problem_types(size_t *n)
{
	*n = nitems(problem_table);
	return problem_table;
}
