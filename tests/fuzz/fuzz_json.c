/*
 * fuzz_json.c -- libFuzzer target: the JSON railgate reads from outside.
 * The first byte picks the reader, the rest is its input:
 *   0  an events file of `railgate check --events` (rules/context.c)
 *   1  a neighbour file of `railgate check --neighbour`
 *   2  a decision document (manifest/decision_read.c, read back by
 *      replays and peers)
 *   3  the body of POST /v1/trains/{id}/events (daemon/api/event_body.c)
 * Seeded from fixtures/json/ (*.seed).
 *
 * No allocation failures are injected here: jansson 2.14 asserts inside
 * its lexer when its allocator fails (this target found it), and
 * railgate's own policy is that memory exhaustion ends the process
 * (util.h's xmalloc): every answer follows a COMMIT, so nothing answered
 * is lost, and systemd starts the daemon again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "daemon/api/event_body.h"
#include "manifest/decision.h"
#include "rules/context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules_context	*ctx;
	struct decision		*d;
	const char		*json, *type;
	json_t			*o;
	char			*cause = NULL, why[256];
	size_t			 len;

	if (size < 1)
		return 0;
	json = (const char *)data + 1;
	len = size - 1;
	switch (data[0] % 4) {
	case 0:
	case 1:
		ctx = rules_context_new();
		if (data[0] % 4 == 0)
			(void)rules_context_load_events(ctx, json, len, "fuzz",
			    &cause);
		else
			(void)rules_context_load_neighbour(ctx, json, len, "fuzz",
			    &cause);
		rules_context_free(ctx);
		break;
	case 2:
		if ((d = decision_json_read(json, len, &cause)) != NULL)
			decision_free(d);
		break;
	case 3:
		if (event_body_parse((const unsigned char *)json, len, &o,
		    &type, why, sizeof why) == 0)
			json_decref(o);
		break;
	}
	free(cause);
	return 0;
}
