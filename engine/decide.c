/*
 * decide.c -- see decide.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/rules.h"

#include "engine/decide.h"
#include "engine/input.h"

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

/* Milliseconds since t0 on the monotonic clock. */
static double
ms_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int
decide_parse_stored(const unsigned char *z, size_t zlen,
    struct manifest_train **t, char sha256[65], double *parse_ms,
    char **cause)
{
	struct timespec	 t0;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	char		*raw;
	size_t		 len;

	*t = NULL;
	if (input_inflate_stored(z, zlen, &raw, &len) < 0) {
		*cause = xstrdup("the stored manifest is damaged");
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (input_parse(raw, len, NULL, t) < 0) {
		*cause = xstrdup("the stored manifest no longer parses");
		manifest_train_free(*t);
		*t = NULL;
		free(raw);
		return -1;
	}
	*parse_ms = ms_since(&t0);
	EVP_Digest(raw, len, md, &mdlen, EVP_sha256(), NULL);
	hex_encode(md, mdlen, sha256);
	free(raw);
	return 0;
}

struct decision *
decide_evaluate(const struct rules_ruleset *rs, const struct manifest_train *t,
    const char *events, unsigned threads, char **cause)
{
	struct rules_context		*ctx = rules_context_new();
	struct rules_eval_options	 opt = { threads };
	struct decision			*dec = NULL;
	struct timespec			 t0;

	if (decide_load_events(ctx, events != NULL ? events : "[]", cause) ==
	    0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rules_evaluate(rs, t, ctx, &opt, &dec);
		dec->evaluate_ms = ms_since(&t0);
	}
	rules_context_free(ctx);
	return dec;
}
