/*
 * auth.c -- tokens and roles.
 *
 * The cache keeps both good and bad lookups for a few seconds, so that a
 * client hammering the API with a wrong token costs one query per ttl,
 * and is bounded in size (it is emptied when full rather than grown).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "manifest/strmap.h"
#include "manifest/util.h"

#include "auth.h"

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
 * (interfaces.md); nothing else is implied.
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

	if (e == NULL || now_ms - e->at_ms > c->ttl_ms)
		return -1;
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
			auth_cache_clear(c);
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
