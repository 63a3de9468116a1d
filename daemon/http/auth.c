/*
 * auth.c -- tokens and roles.
 *
 * The cache keeps both good and bad lookups for a few seconds, so that a
 * client hammering the API with a wrong token costs one query per ttl,
 * and is bounded in size (when full, the bad lookups go; it is emptied
 * only when every entry is a good one).  A token found valid is
 * remembered past the ttl as one worth looking up again even for a
 * throttled client: an officer behind the address of a guesser (a NAT,
 * a proxy) keeps working, since the guesser cannot present a token that
 * was ever valid.  Only the lookup says whether it still is.
 * It does nothing against a client trying a new token each time: that is
 * the throttle's part (auth.h), whose entries come from one array
 * allocated at start and are found through a small hash table.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "manifest/strmap.h"
#include "manifest/util.h"

#include "daemon/http/auth.h"

#define AUTH_CACHE_MAX	4096

static const struct {
	enum auth_role	 role;
	const char	*name;
} roles[] = {
	{ AUTH_OFFICER, "officer" },
	{ AUTH_SUPERVISOR, "supervisor" },
	{ AUTH_AUDITOR, "auditor" },
	{ AUTH_OPERATOR, "operator" },
	{ AUTH_ADMIN, "admin" },
	{ AUTH_DEVICE, "device" },
};

const char *
auth_role_name(enum auth_role r)
{
	size_t	i;

	for (i = 0; i < nitems(roles); i++)
		if (roles[i].role == r)
			return roles[i].name;
	return NULL;
}

int
auth_role_parse(const char *s, enum auth_role *out)
{
	size_t	i;

	for (i = 0; i < nitems(roles); i++) {
		if (strcmp(roles[i].name, s) == 0) {
			*out = roles[i].role;
			return 0;
		}
	}
	return -1;
}

/*
 * The authorisation decision.  A supervisor has every officer's right
 * (docs/contracts.md, "Roles and the audit trail"); nothing else is implied.
 */
bool
auth_role_allows(unsigned mask, enum auth_role r)
{
	if (mask == AUTH_NONE)
		return true;
	if (r == AUTH_SUPERVISOR && (mask & AUTH_OFFICER))
		return true;
	return (mask & (unsigned)r) != 0;
}

#define AUTH_CARRIER_MAX	35	/* an EDIFACT party identifier, an..35 */

/*
 * "NULL", in any case, is no carrier: unquoted in an array literal it is
 * the SQL NULL, and `x = ANY ('{NULL}')` is NULL, not false -- a check
 * written `NOT x = ANY (carriers)` then lets everything through.
 */
bool
auth_carrier_valid(const char *id)
{
	size_t	n = 0;

	for (; id[n] != '\0'; n++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789._:/-", id[n]) == NULL)
			return false;
	return n > 0 && n <= AUTH_CARRIER_MAX && strcasecmp(id, "NULL") != 0;
}

/* Refuses a list with an element that is no carrier (auth_carrier_valid):
 * the database's check allows "NULL", the array literal must not hold it. */
int
auth_carriers_set(struct auth_principal *who, const char *carriers)
{
	char	 copy[AUTH_CARRIERS_LEN], *p, *comma;

	if (strlen(carriers) >= sizeof who->carriers)
		return -1;
	snprintf(copy, sizeof copy, "%s", carriers);
	for (p = copy; *p != '\0'; p = comma + 1) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		if (!auth_carrier_valid(p))
			return -1;
		if (comma == NULL)
			break;
	}
	snprintf(who->carriers, sizeof who->carriers, "%s", carriers);
	return 0;
}

bool
auth_carrier_allowed(const struct auth_principal *who, const char *id)
{
	const char	*p = who->carriers, *comma;
	size_t		 n = id != NULL ? strlen(id) : 0;

	if (n == 0)
		return false;
	while (*p != '\0') {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		if ((size_t)(comma - p) == n && memcmp(p, id, n) == 0)
			return true;
		p = *comma == ',' ? comma + 1 : comma;
	}
	return false;
}

void
auth_carriers_array(const struct auth_principal *who, char *out, size_t len)
{
	snprintf(out, len, "{%s}", who->carriers);
}

/* 32 random bytes, base64url without padding, after "rg_". */
int
auth_token_generate(char *out)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char	 raw[33];
	char		*p = out;
	int		 i;

	if (RAND_bytes(raw, 32) != 1)
		return -1;
	raw[32] = 0;
	memcpy(p, "rg_", 3);
	p += 3;
	for (i = 0; i < 33; i += 3) {
		unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 |
		    raw[i + 2];

		*p++ = alphabet[(v >> 18) & 63];
		*p++ = alphabet[(v >> 12) & 63];
		*p++ = alphabet[(v >> 6) & 63];
		*p++ = alphabet[v & 63];
	}
	out[3 + 43] = '\0';	/* 32 bytes are 43 characters */
	return 0;
}

void
auth_token_hash(const char *token, char *hex)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n = 0;

	EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL);
	hex_encode(md, n, hex);
}

/* "Bearer <token>", case-insensitive scheme, token of visible ASCII. */
const char *
auth_bearer(const char *header)
{
	const char	*t, *p;

	if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
		return NULL;
	t = header + 7;
	while (*t == ' ')
		t++;
	if (*t == '\0' || strlen(t) > 256)
		return NULL;
	for (p = t; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~')
			return NULL;
	return t;
}

struct auth_entry {
	char			hash[AUTH_TOKEN_HEX];
	int64_t			at_ms;
	bool			valid;
	struct auth_principal	who;
};

struct auth_cache {
	struct strmap		*map;		/* hash -> entry */
	struct auth_entry	**entries;	/* owned, to free */
	size_t			 n;
	int64_t			 ttl_ms;
};

struct auth_cache *
auth_cache_new(int ttl_s)
{
	struct auth_cache	*c = xcalloc(1, sizeof *c);

	c->map = strmap_new();
	c->entries = xcalloc(AUTH_CACHE_MAX, sizeof *c->entries);
	c->ttl_ms = (int64_t)ttl_s * 1000;
	return c;
}

/* Makes room in a full cache: the bad lookups go, else everything. */
static void
auth_cache_evict(struct auth_cache *c)
{
	size_t	i, kept = 0;

	for (i = 0; i < c->n; i++) {
		if (c->entries[i]->valid)
			c->entries[kept++] = c->entries[i];
		else
			free(c->entries[i]);
	}
	if (kept == c->n) {
		auth_cache_clear(c);
		return;
	}
	c->n = kept;
	strmap_free(c->map);
	c->map = strmap_new();
	for (i = 0; i < c->n; i++)
		strmap_put(c->map, c->entries[i]->hash, c->entries[i]);
}

void
auth_cache_clear(struct auth_cache *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		free(c->entries[i]);
	c->n = 0;
	strmap_free(c->map);
	c->map = strmap_new();
}

void
auth_cache_free(struct auth_cache *c)
{
	if (c == NULL)
		return;
	auth_cache_clear(c);
	strmap_free(c->map);
	free(c->entries);
	free(c);
}

int
auth_cache_get(struct auth_cache *c, const char *hash, int64_t now_ms,
    struct auth_principal *out)
{
	struct auth_entry	*e = strmap_get(c->map, hash);

	if (e == NULL)
		return -1;
	if (now_ms - e->at_ms > c->ttl_ms)
		return e->valid ? AUTH_CACHE_KNOWN : -1;
	if (!e->valid)
		return 0;
	*out = e->who;
	return 1;
}

void
auth_cache_put(struct auth_cache *c, const char *hash, int64_t now_ms,
    const struct auth_principal *who)
{
	struct auth_entry	*e = strmap_get(c->map, hash);

	if (e == NULL) {
		if (c->n == AUTH_CACHE_MAX)
			auth_cache_evict(c);
		e = xcalloc(1, sizeof *e);
		snprintf(e->hash, sizeof e->hash, "%s", hash);
		c->entries[c->n++] = e;
		strmap_put(c->map, e->hash, e);
	}
	e->at_ms = now_ms;
	e->valid = who != NULL;
	if (who != NULL)
		e->who = *who;
}

#define THROTTLE_BUCKETS	256	/* a power of two */

struct throttle_entry {
	char				 client[48];
	int64_t				 start_ms;	/* first failure of the window */
	uint64_t			 failures;
	uint64_t			 throttled;
	LIST_ENTRY(throttle_entry)	 link;	/* bucket, or the free list */
};
LIST_HEAD(throttle_list, throttle_entry);

struct auth_throttle {
	int				 limit;
	int64_t				 window_ms;
	auth_throttle_report_cb		 cb;
	void				*arg;
	struct throttle_entry		*pool;		/* AUTH_THROTTLE_MAX */
	struct throttle_list		 free;
	struct throttle_list		 buckets[THROTTLE_BUCKETS];
	struct throttle_entry		 shared;	/* when the pool is spent */
	bool				 shared_used;
	size_t				 used;
};

struct auth_throttle *
auth_throttle_new(int limit, int window_s, auth_throttle_report_cb cb,
    void *arg)
{
	struct auth_throttle	*t = xcalloc(1, sizeof *t);
	size_t			 i;

	t->limit = limit > 0 ? limit : 1;
	t->window_ms = (int64_t)(window_s > 0 ? window_s : 1) * 1000;
	t->cb = cb;
	t->arg = arg;
	t->pool = xcalloc(AUTH_THROTTLE_MAX, sizeof *t->pool);
	LIST_INIT(&t->free);
	for (i = 0; i < THROTTLE_BUCKETS; i++)
		LIST_INIT(&t->buckets[i]);
	for (i = 0; i < AUTH_THROTTLE_MAX; i++)
		LIST_INSERT_HEAD(&t->free, &t->pool[i], link);
	snprintf(t->shared.client, sizeof t->shared.client, "*");
	return t;
}

static struct throttle_list *
throttle_bucket(struct auth_throttle *t, const char *client)
{
	return &t->buckets[strmap_hash(client, strlen(client)) &
	    (THROTTLE_BUCKETS - 1)];
}

/* Reports e's window when more happened in it than was logged one by one. */
static void
throttle_report(struct auth_throttle *t, struct throttle_entry *e)
{
	struct auth_throttle_report	r;

	if ((e->failures <= (uint64_t)t->limit && e->throttled == 0) ||
	    t->cb == NULL)
		return;
	r.client = e->client;
	r.failures = e->failures;
	r.throttled = e->throttled;
	r.limit = t->limit;
	r.window_s = (int)(t->window_ms / 1000);
	t->cb(&r, t->arg);
}

/* Ends e's window: reported, then emptied (the shared one) or freed. */
static void
throttle_forget(struct auth_throttle *t, struct throttle_entry *e)
{
	throttle_report(t, e);
	if (e == &t->shared) {
		t->shared_used = false;
		e->failures = e->throttled = 0;
		return;
	}
	LIST_REMOVE(e, link);
	LIST_INSERT_HEAD(&t->free, e, link);
	t->used--;
}

/* The entry counting client's failures now, or NULL. */
static struct throttle_entry *
throttle_find(struct auth_throttle *t, const char *client, int64_t now_ms)
{
	struct throttle_entry	*e;

	for (e = LIST_FIRST(throttle_bucket(t, client));
	    e != NULL && strcmp(e->client, client) != 0; e = LIST_NEXT(e, link))
		;
	/* A client not tracked while the pool is spent is counted shared. */
	if (e == NULL && t->shared_used && LIST_EMPTY(&t->free))
		e = &t->shared;
	if (e != NULL && now_ms - e->start_ms >= t->window_ms) {
		throttle_forget(t, e);
		return NULL;
	}
	return e;
}

int
auth_throttle_check(struct auth_throttle *t, const char *client,
    int64_t now_ms)
{
	struct throttle_entry	*e = throttle_find(t, client, now_ms);
	int64_t			 left;

	if (e == NULL || e->failures < (uint64_t)t->limit)
		return 0;
	e->throttled++;
	left = e->start_ms + t->window_ms - now_ms;
	return (int)((left + 999) / 1000);
}

uint64_t
auth_throttle_fail(struct auth_throttle *t, const char *client,
    int64_t now_ms)
{
	struct throttle_entry	*e = throttle_find(t, client, now_ms);

	if (e == NULL && LIST_EMPTY(&t->free))
		auth_throttle_sweep(t, now_ms);
	if (e == NULL && (e = LIST_FIRST(&t->free)) != NULL) {
		LIST_REMOVE(e, link);
		snprintf(e->client, sizeof e->client, "%s", client);
		e->start_ms = now_ms;
		e->failures = e->throttled = 0;
		LIST_INSERT_HEAD(throttle_bucket(t, client), e, link);
		t->used++;
	}
	if (e == NULL) {
		e = &t->shared;
		if (!t->shared_used) {
			t->shared_used = true;
			e->start_ms = now_ms;
		}
	}
	return ++e->failures;
}

void
auth_throttle_sweep(struct auth_throttle *t, int64_t now_ms)
{
	struct throttle_entry	*e, *next;
	size_t			 i;

	for (i = 0; i < THROTTLE_BUCKETS; i++)
		for (e = LIST_FIRST(&t->buckets[i]); e != NULL; e = next) {
			next = LIST_NEXT(e, link);
			if (now_ms - e->start_ms >= t->window_ms)
				throttle_forget(t, e);
		}
	if (t->shared_used && now_ms - t->shared.start_ms >= t->window_ms)
		throttle_forget(t, &t->shared);
}

size_t
auth_throttle_clients(const struct auth_throttle *t)
{
	return t->used;
}

void
auth_throttle_free(struct auth_throttle *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < THROTTLE_BUCKETS; i++)
		while (!LIST_EMPTY(&t->buckets[i]))
			throttle_forget(t, LIST_FIRST(&t->buckets[i]));
	if (t->shared_used)
		throttle_forget(t, &t->shared);
	free(t->pool);
	free(t);
}
