/*
 * decide.c -- see decide.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "decide.h"

/* One neighbour report (an event's body) as neighbour data. */
static int
load_neighbour(struct rules_context *ctx, json_t *body, char **cause)
{
	char	*text = json_dumps(body, JSON_COMPACT);
	int	 rc;

	rc = rules_context_load_neighbour(ctx, text, strlen(text), "neighbour",
	    cause);
	free(text);
	return rc;
}

int
decide_load_events(struct rules_context *ctx, const char *events,
    char **cause)
{
	json_error_t	 err;
	json_t		*in, *bodies, *ev;
	const char	*type;
	size_t		 i;
	char		*text;
	int		 rc = 0;

	if ((in = json_loads(events, 0, &err)) == NULL) {
		*cause = xasprintf("stored events: %s", err.text);
		return -1;
	}
	bodies = json_array();
	for (i = 0; i < json_array_size(in) && rc == 0; i++) {
		ev = json_array_get(in, i);
		type = json_string_value(json_object_get(ev, "type"));
		if (type != NULL && strcmp(type, "neighbour") == 0)
			rc = load_neighbour(ctx, json_object_get(ev, "body"), cause);
		else
			json_array_append(bodies, json_object_get(ev, "body"));
	}
	if (rc == 0) {
		text = json_dumps(bodies, JSON_COMPACT);
		rc = rules_context_load_events(ctx, text, strlen(text), "events",
		    cause);
		free(text);
	}
	json_decref(bodies);
	json_decref(in);
	return rc;
}

struct decision *
decide_final(const char *base, const char *resolutions, char **cause)
{
	struct decision		*d;
	enum decision_action	 a;
	json_t			*res, *r;
	json_int_t		 pos;
	size_t			 i, k;

	if ((d = decision_json_read(base, strlen(base), cause)) == NULL)
		return NULL;
	res = json_loads(resolutions != NULL ? resolutions : "[]", 0, NULL);
	for (i = 0; i < json_array_size(res); i++) {
		r = json_array_get(res, i);
		pos = json_integer_value(json_object_get(r, "position"));
		if (decision_action_parse(json_string_value(json_object_get(r,
		    "action")), &a) < 0)
			continue;
		for (k = 0; k < d->nwagons; k++)
			if (d->wagons[k].position == (uint32_t)pos)
				d->wagons[k].action = a;
	}
	json_decref(res);
	d->final = true;
	d->outcome = decision_consolidate(d);
	return d;
}
