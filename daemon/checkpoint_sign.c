/*
 * checkpoint_sign.c -- a checkpoint's signed text, its signature, its
 * JSON form, and the comparison of checkpoints with the chain.  Pure;
 * any thread; shared by the daemon and `railgate verify`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "manifest/util.h"

#include "daemon/checkpoint.h"
#include "daemon/sign.h"

/* Whether s is 64 lower-case hex digits. */
static int
is_hash(const char *s)
{
	size_t	i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

char *
checkpoint_text(const struct checkpoint *c)
{
	struct tm	tm;
	time_t		t = (time_t)c->at;
	char		at[32];

	gmtime_r(&t, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xasprintf("%s\nstation=%s\nseq=%lld\ncount=%lld\nhash=%s\n"
	    "at=%s\n", CHECKPOINT_MAGIC, c->station, c->seq, c->count, c->hash,
	    at);
}

int
checkpoint_sign(struct checkpoint *c, const struct sign_key *k)
{
	char	*text = checkpoint_text(c);

	free(c->signature);
	c->signature = sign_ed25519(k, text, strlen(text));
	free(text);
	sign_key_id(k, c->key_id);
	return c->signature != NULL ? 0 : -1;
}

int
checkpoint_verify(const struct checkpoint *c, const struct sign_key *k,
    const char **why)
{
	char	 id[17], *text;
	int	 rc;

	sign_key_id(k, id);
	if (strcmp(id, c->key_id) != 0) {
		*why = "signed with another key (key_id)";
		return -1;
	}
	text = checkpoint_text(c);
	rc = sign_ed25519_verify(k, text, strlen(text), c->signature);
	free(text);
	if (rc != 0)
		*why = "bad signature";
	return rc;
}

/* A member that must be a non-negative integer; -1 with *cause. */
static int
member_int(json_t *o, const char *path, const char *key, long long min,
    long long *v, char **cause)
{
	json_t	*m = json_object_get(o, key);

	if (!json_is_integer(m) || json_integer_value(m) < min) {
		*cause = xasprintf("%s.%s: %s", path, key, m == NULL ? "missing" :
		    "must be an integer of at least 1");
		return -1;
	}
	*v = json_integer_value(m);
	return 0;
}

/* A member that must be a text of 1..max bytes; NULL with *cause. */
static const char *
member_text(json_t *o, const char *path, const char *key, size_t max,
    char **cause)
{
	json_t		*m = json_object_get(o, key);
	const char	*s = json_string_value(m);

	if (s == NULL || s[0] == '\0' || strlen(s) > max ||
	    strchr(s, '\n') != NULL) {
		*cause = xasprintf("%s.%s: %s", path, key, m == NULL ? "missing" :
		    "must be a text of one line");
		return NULL;
	}
	return s;
}

int
checkpoint_from_json(json_t *o, const char *path, struct checkpoint *c,
    char **cause)
{
	const char	*station, *hash, *key_id, *sig;
	long long	 at;

	memset(c, 0, sizeof *c);
	if (!json_is_object(o)) {
		*cause = xasprintf("%s: not a JSON object", path);
		return -1;
	}
	if ((station = member_text(o, path, "station", 64, cause)) == NULL ||
	    member_int(o, path, "seq", 1, &c->seq, cause) < 0 ||
	    member_int(o, path, "count", 1, &c->count, cause) < 0 ||
	    (hash = member_text(o, path, "hash", 64, cause)) == NULL ||
	    member_int(o, path, "at", 0, &at, cause) < 0 ||
	    (key_id = member_text(o, path, "key_id", 16, cause)) == NULL ||
	    (sig = member_text(o, path, "signature", 200, cause)) == NULL)
		return -1;
	if (!is_hash(hash)) {
		*cause = xasprintf("%s.hash: not 64 lower-case hex digits", path);
		return -1;
	}
	c->station = xstrdup(station);
	c->at = (int64_t)at;
	memcpy(c->hash, hash, 65);
	snprintf(c->key_id, sizeof c->key_id, "%s", key_id);
	c->signature = xstrdup(sig);
	return 0;
}

json_t *
checkpoint_to_json(const struct checkpoint *c)
{
	return json_pack("{s:s, s:I, s:I, s:s, s:I, s:s, s:s}", "station",
	    c->station, "seq", (json_int_t)c->seq, "count", (json_int_t)c->count,
	    "hash", c->hash, "at", (json_int_t)c->at, "key_id", c->key_id,
	    "signature", c->signature);
}

void
checkpoint_clear(struct checkpoint *c)
{
	free(c->station);
	free(c->signature);
	memset(c, 0, sizeof *c);
}

/* Why one checkpoint does not hold against the chain; NULL: it holds. */
static const char *
compare_one(const struct checkpoint *c, json_t *chain,
    const struct sign_key *k, const char *station, const char **chain_hash)
{
	const char	*why;
	char		 seq[24];

	*chain_hash = NULL;
	if (strcmp(c->station, station) != 0)
		return "the checkpoint is of another station's chain";
	if (checkpoint_verify(c, k, &why) < 0)
		return why;
	if (c->count != c->seq)
		return "count and seq disagree (the chain counts from 1)";
	if (c->seq > json_integer_value(json_object_get(chain, "head")))
		return "the chain ends before the checkpoint: records removed";
	snprintf(seq, sizeof seq, "%lld", c->seq);
	*chain_hash = json_string_value(json_object_get(json_object_get(chain,
	    "hashes"), seq));
	if (*chain_hash == NULL)
		return "the chain has no record at the checkpoint's seq";
	if (strcmp(*chain_hash, c->hash) != 0)
		return "the chain's hash at the checkpoint's seq differs: "
		    "records up to it were rewritten";
	return NULL;
}

/* Fills r with the failure of c, the oldest checkpoint that fails so far. */
static void
compare_failed(json_t *r, const struct checkpoint *c, const char *why,
    const char *chain_hash)
{
	json_object_set_new(r, "ok", json_false());
	json_object_set_new(r, "first_bad_seq", json_integer(c->seq));
	json_object_set_new(r, "checkpoint", json_pack("{s:I, s:s, s:I}",
	    "seq", (json_int_t)c->seq, "hash", c->hash, "at", (json_int_t)c->at));
	json_object_set_new(r, "chain_hash", chain_hash != NULL ?
	    json_string(chain_hash) : json_null());
	json_object_set_new(r, "reason", json_string(why));
}

/*
 * The list is newest first: the failure reported is the oldest that
 * fails, and agrees_up_to the newest that holds below it, so that the
 * rewrite lies between the two.
 */
json_t *
checkpoint_compare(json_t *list, json_t *chain, const struct sign_key *k,
    const char *station)
{
	json_t		*r = json_pack("{s:b, s:I}", "ok", 1, "checkpoints",
			    (json_int_t)json_array_size(list));
	long long	 agrees = 0, bad = -1;
	size_t		 i;

	for (i = 0; i < json_array_size(list); i++) {
		struct checkpoint	 c;
		const char		*why, *chain_hash = NULL;
		char			*cause = NULL;

		if (checkpoint_from_json(json_array_get(list, i), "checkpoint",
		    &c, &cause) < 0) {
			json_object_set_new(r, "ok", json_false());
			json_object_set_new(r, "reason", json_string(cause));
			free(cause);
			continue;
		}
		if (i == 0)
			json_object_set_new(r, "latest_seq", json_integer(c.seq));
		why = compare_one(&c, chain, k, station, &chain_hash);
		if (why != NULL && (bad < 0 || c.seq <= bad)) {
			bad = c.seq;
			if (agrees >= bad)
				agrees = 0;
			compare_failed(r, &c, why, chain_hash);
		} else if (why == NULL && bad >= 0 && c.seq < bad &&
		    c.seq > agrees)
			agrees = c.seq;
		checkpoint_clear(&c);
	}
	if (bad >= 0)
		json_object_set_new(r, "agrees_up_to", json_integer(agrees));
	return r;
}
