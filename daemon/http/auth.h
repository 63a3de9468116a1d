/*
 * auth.h -- bearer tokens, roles, and the one authorisation table.
 *
 * Tokens are random, shown once at creation, and stored only as their
 * SHA-256.  A token names a principal and one role.  Which role may call
 * which route is decided in one place (auth_role_allows, from the route
 * table's role masks); everything is denied unless a route allows it.
 * The token cache is owned by the loop thread.
 */
#ifndef DAEMON_HTTP_AUTH_H
#define DAEMON_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum auth_role {
	AUTH_OFFICER	= 0x01,
	AUTH_SUPERVISOR	= 0x02,
	AUTH_AUDITOR	= 0x04,
	AUTH_OPERATOR	= 0x08,
	AUTH_ADMIN	= 0x10,
	AUTH_DEVICE	= 0x20,		/* a weighbridge or scanner: evidence only */
};
#define AUTH_NONE	0		/* a public route: no token needed */

#define AUTH_TOKEN_HEX	65		/* SHA-256 hex + NUL */
#define AUTH_TOKEN_LEN	48		/* "rg_" + 43 base64url characters + NUL */

/*
 * A principal's carriers: the railway companies an operator token is
 * bound to (issue 20; docs/operator.md), comma-separated as stored, each
 * [A-Za-z0-9._:/-]{1,35} (tokens_carriers_check, migration 029), so the
 * text is also a PostgreSQL array literal's inside.  Empty for every
 * other role -- and an operator bound to none reads nothing.
 */
#define AUTH_CARRIERS_LEN	256

struct auth_principal {
	char		name[128];
	enum auth_role	role;
	char		carriers[AUTH_CARRIERS_LEN];
};

/* "officer", ...; NULL for an unknown value. */
const char *auth_role_name(enum auth_role r);
/* Parses a role name; 0 or -1. */
int auth_role_parse(const char *s, enum auth_role *out);
/*
 * Sets who->carriers from a comma-separated list; -1 when it does not fit
 * or an element is no carrier (auth_carrier_valid: "NULL" is none).
 */
int auth_carriers_set(struct auth_principal *who, const char *carriers);
/* True when who is bound to carrier id (an exact, whole match). */
bool auth_carrier_allowed(const struct auth_principal *who, const char *id);
/*
 * who's carriers as a PostgreSQL array literal ("{KZ-KTZE,CN-CRCT}"),
 * written to out (at least AUTH_CARRIERS_LEN + 2 bytes).
 */
void auth_carriers_array(const struct auth_principal *who, char *out,
    size_t len);
/* True when a carrier identifier has the shape a token may name. */
bool auth_carrier_valid(const char *id);

/* True when a route allowing the roles in mask admits role r. */
bool auth_role_allows(unsigned mask, enum auth_role r);

/* A new random token ("rg_..."), written to out (AUTH_TOKEN_LEN bytes); 0 or -1. */
int auth_token_generate(char *out);
/* SHA-256 hex of a token, as stored. */
void auth_token_hash(const char *token, char *hex);
/*
 * Extracts the token from an Authorization header value ("Bearer x");
 * NULL when absent or malformed.  Points into header.
 */
const char *auth_bearer(const char *header);

struct auth_cache;

/* A cache of token hashes keeping entries for ttl_s seconds; loop thread. */
struct auth_cache *auth_cache_new(int ttl_s);
void auth_cache_free(struct auth_cache *c);
/*
 * 1 found (valid), 0 found (known bad), -1 not cached; AUTH_CACHE_KNOWN:
 * valid at a lookup older than the ttl -- look it up again, even for a
 * throttled client.
 */
#define AUTH_CACHE_KNOWN	2
int auth_cache_get(struct auth_cache *c, const char *hash, int64_t now_ms,
    struct auth_principal *out);
/* Remembers a lookup; who NULL marks the token as invalid. */
void auth_cache_put(struct auth_cache *c, const char *hash, int64_t now_ms,
    const struct auth_principal *who);
/* Forgets everything (after a token is revoked). */
void auth_cache_clear(struct auth_cache *c);

/*
 * Failed authentications (no token, a malformed, unknown, expired or
 * revoked one), counted per client (an address or /64, conn.h) over a
 * window of window_s seconds from the client's first failure: once limit
 * failures are reached, the client's requests that need a token are
 * throttled until the window ends -- answered 429 without asking the
 * database -- so a guesser gets limit tries per window.  At most
 * AUTH_THROTTLE_MAX clients are tracked at once; the failures of any
 * further client count together under one shared entry ("*"), so the
 * table never grows past its bound and an attacker spread over many
 * addresses is throttled as one.  When a window ends in which more
 * happened than the caller logged one by one (failures past the limit,
 * throttled requests), it is reported once.  Loop thread.
 */
#define AUTH_THROTTLE_MAX	4096

struct auth_throttle;

struct auth_throttle_report {
	const char	*client;
	uint64_t	 failures;	/* in the window */
	uint64_t	 throttled;	/* requests refused for it */
	int		 limit;
	int		 window_s;
};
typedef void (*auth_throttle_report_cb)(const struct auth_throttle_report *,
    void *);

/* A table reporting through cb; the caller owns it. */
struct auth_throttle *auth_throttle_new(int limit, int window_s,
    auth_throttle_report_cb cb, void *arg);
/* Reports what is pending, then frees; accepts NULL. */
void auth_throttle_free(struct auth_throttle *t);
/*
 * Seconds client must wait before a request needing a token is looked at
 * again (the request is counted as throttled), or 0.
 */
int auth_throttle_check(struct auth_throttle *t, const char *client,
    int64_t now_ms);
/*
 * Counts a failed authentication of client; the failures in its window
 * so far, this one included.
 */
uint64_t auth_throttle_fail(struct auth_throttle *t, const char *client,
    int64_t now_ms);
/* Reports and forgets the windows that ended by now_ms. */
void auth_throttle_sweep(struct auth_throttle *t, int64_t now_ms);
/* Clients tracked now (the shared entry not counted). */
size_t auth_throttle_clients(const struct auth_throttle *t);

#endif
