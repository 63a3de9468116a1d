/*
 * config.c -- INI parsing driven by the parameter table.
 *
 * Syntax: "[section]" headers, "name = value" lines, '#' or ';' comments
 * on their own line, values optionally in double quotes.  Unknown
 * sections and parameters are errors, so that a typo is not silently a
 * default.
 *
 * Names carry their unit as one short suffix: _s, _ms, _mb (MiB).  A
 * name a parameter had before (lease_seconds) is still read, with a
 * warning returned to the caller, so that no installed file breaks.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifest/util.h"

#include "daemon/config.h"
#include "daemon/paths.h"

enum param_type {
	PARAM_STRING,
	PARAM_INT,
	PARAM_BOOL,	/* yes or no */
};

struct param {
	const char	*section;
	const char	*name;
	enum param_type	 type;
	size_t		 offset;	/* into struct config */
	bool		 reloadable;
	const char	*def;
	int		 min, max;	/* PARAM_INT bounds */
	const char	*doc;
	int		(*check)(const char *, char **); /* a string's check */
};

#define STR(sec, name, field, reload, def, doc) \
	{ sec, name, PARAM_STRING, offsetof(struct config, field), reload, def, 0, 0, doc }
#define INT(sec, name, field, reload, def, lo, hi, doc) \
	{ sec, name, PARAM_INT, offsetof(struct config, field), reload, def, lo, hi, doc }
#define ZONE(sec, name, field, reload, def, doc) \
	{ sec, name, PARAM_STRING, offsetof(struct config, field), reload, def, 0, 0, doc, zone_check }
#define BOOL(sec, name, field, reload, def, doc) \
	{ sec, name, PARAM_BOOL, offsetof(struct config, field), reload, def, 0, 0, doc }

static int zone_check(const char *, char **);

static const struct param params[] = {
	STR("daemon", "listen", listen, false, "127.0.0.1:8080",
	    "Address and port of the HTTP API and officer console.  Without "
	    "TLS (tls_cert_file) it must be a loopback address (127.0.0.0/8, "
	    "[::1], localhost): the daemon refuses to start otherwise, unless "
	    "allow_plaintext_http is yes."),
	STR("daemon", "tls_cert_file", tls_cert_file, false, "",
	    "Certificate chain (PEM, the server's certificate first) of the "
	    "HTTP API: set with tls_key_file, every route (console, API, "
	    "/v1/stream, uploads) is served over TLS 1.2 or 1.3 only, with "
	    "forward-secret AEAD ciphers, the session cookie is Secure and "
	    "every answer carries Strict-Transport-Security.  SIGHUP reads "
	    "the certificate and key files again (new connections get the new "
	    "certificate; a bad one is refused and the one in force stays).  "
	    "Empty: plain HTTP."),
	STR("daemon", "tls_key_file", tls_key_file, false, "",
	    "Private key (PEM) of tls_cert_file.  The daemon refuses to start "
	    "when group or others have any permission on the file (chmod 600) "
	    "or when the key is not the certificate's."),
	BOOL("daemon", "allow_plaintext_http", allow_plaintext_http, false,
	    "no",
	    "Yes: the API may listen on an address that is not loopback "
	    "without TLS (behind a TLS-terminating proxy on a trusted "
	    "network), with a warning at every start.  No: such a "
	    "configuration is refused, since bearer tokens and session cookies "
	    "would cross the network in clear."),
	STR("daemon", "log_level", log_level, true, "info",
	    "Most verbose log level written: warn, info or debug."),
	STR("daemon", "state_dir", state_dir, false, RAILGATE_STATE_DIR,
	    "Directory for the spool, keys and the private PostgreSQL cluster."),
	INT("daemon", "loop_nice", loop_nice, false, "0", 0, 19,
	    "Nice value of the thread that serves the API (the event loop), "
	    "above the worker threads' and PostgreSQL's: when the CPU is "
	    "short, parsing, evaluating and storing decisions come before "
	    "answering readers.  Only for a host that runs nothing else "
	    "busy: the loop yields to every other process too, and on a "
	    "loaded machine 10 left readers waiting a second.  0: the same "
	    "as the workers."),
	INT("daemon", "parse_threads", parse_threads, true, "0", 0, 1,
	    "0: a manifest is read and stored on more than one thread (docs/"
	    "performance.md).  1: on its worker's thread alone."),
	STR("database", "dsn", dsn, false, "",
	    "libpq connection string of the daemon's role (railgate_app), which "
	    "may append to the audit log but never change it.  Required."),
	STR("database", "admin_dsn", admin_dsn, false, "",
	    "Connection string of the schema's owner, used to apply migrations "
	    "at start; empty: dsn."),
	INT("database", "connections", connections, false, "4", 1, 64,
	    "Connections in the daemon's pool."),
	INT("database", "decision_connections", decision_connections, false,
	    "1", 0, 63,
	    "Of the pool's connections, how many only the steps of a decision "
	    "may use (a manifest stored, a claim for evaluation, a decision "
	    "stored), which also go ahead of every other request waiting for "
	    "a connection: readers, however many, never make a decision wait "
	    "for the database.  At most connections - 1."),
	STR("rules", "dir", rules_dir, true, RAILGATE_RULES_DIR,
	    "Directory of the station's rule set."),
	ZONE("station", "time_zone", time_zone, true, "UTC",
	    "The station's time zone, an IANA name from the system's time zone "
	    "database (Asia/Urumqi, Asia/Shanghai, Asia/Almaty, Asia/Hanoi): "
	    "the officer console writes every time in it (GET /v1/station); "
	    "the API's times stay UTC."),
	BOOL("station", "parcel_setaside", parcel_setaside, true, "no",
	    "Yes at a station with an e-commerce supervision site: a hit on a "
	    "parcel (a goods item of an e-commerce consignment with a tracking "
	    "number, in one container) sets that parcel aside instead of "
	    "stopping its wagon, and the decision lists the parcels to unload "
	    "(docs/parcels.md).  No: every hit reaches its wagon.  A reload "
	    "applies to the evaluations started after it."),
	INT("evaluation", "lease_s", lease_s, true, "120", 2, 3600,
	    "Seconds a daemon holds a train it is evaluating; another daemon "
	    "sharing the database takes the train over once this has passed "
	    "without a decision."),
	INT("notices", "retry_base_ms", notice_retry_ms, true, "2000", 10,
	    600000, "Delay before the second attempt at a release notice; each "
	    "later delay doubles, with a random factor of 0.5 to 1.5."),
	INT("notices", "retry_max_s", notice_retry_max_s, true, "600", 1,
	    86400, "Ceiling of the delay between attempts."),
	INT("notices", "max_attempts", notice_max_attempts, true, "20", 1, 1000,
	    "Attempts before a notice is given up (dead, shown in the API, "
	    "until an officer redelivers it)."),
	STR("notices", "ca_file", notice_ca_file, false, "",
	    "PEM file of certificate authorities trusted for operators' https:// "
	    "endpoints, besides the system's (a private PKI between station and "
	    "railway).  Empty: the system's only."),
	STR("notices", "subscriptions", subscriptions_file, true, "",
	    "JSON file of railway operators' subscriptions, applied at start "
	    "and on SIGHUP: an array of {name, url, formats, carriers, secret, "
	    "recipient, client_cert, client_key, enabled}, as PUT "
	    "/v1/subscriptions/NAME takes them.  Empty: subscriptions are managed through the API "
	    "only."),
	BOOL("notices", "allow_private_endpoints", notice_allow_private, true,
	    "no", "Whether an operator's endpoint may be on a loopback, "
	    "private, link-local, shared (100.64.0.0/10), multicast or other "
	    "address that is not public, given as such or as a host name "
	    "resolving to one.  No: such a subscription is refused (422), and "
	    "a notice whose endpoint resolves to one at delivery is not sent; "
	    "the API's users cannot make the daemon reach its own network.  A "
	    "station whose operators' receivers are on its internal network "
	    "says yes."),
	STR("notices", "client_cert_dir", notice_client_cert_dir, true, "",
	    "Directory of the client certificates and keys (PEM) that "
	    "subscriptions may present to operators' https:// endpoints: a "
	    "subscription's client_cert and client_key name files in it "
	    "(relative to it, or a path under it; a symbolic link or \"..\" "
	    "leading out of it is refused).  The station's own keys are "
	    "refused.  Empty: no subscription may name a client "
	    "certificate."),
	STR("notices", "secret_key_file", notice_secret_key_file, true, "",
	    "File of the key (32 random bytes, mode 0600) that seals webhook "
	    "secrets in the database (AES-256-GCM).  Empty: "
	    "state_dir/notice-secrets.key, made at first start.  A file named "
	    "here must exist.  Changed by `railgate notices rotate-key`, then "
	    "a reload (docs/notices.md \"Secrets at rest\")."),
	STR("peer", "name", peer_name, false, "",
	    "This customs service's name on the neighbouring customs link (the "
	    "sender of its messages, the name in its certificate).  Empty: no "
	    "link."),
	STR("peer", "neighbour", peer_neighbour, false, "",
	    "The neighbouring service's name: its certificate must name it and "
	    "its messages must be sent by it."),
	STR("peer", "url", peer_url, false, "",
	    "https://host:port of the neighbour's link, where messages go."),
	STR("peer", "listen", peer_listen, false, "",
	    "Address and port where the neighbour's messages arrive (mutual TLS "
	    "1.3 only).  Empty: this side only sends."),
	STR("peer", "cert_file", peer_cert_file, false, "",
	    "This service's certificate chain (PEM), presented on both sides of "
	    "the link."),
	STR("peer", "key_file", peer_key_file, false, "",
	    "Its private key (PEM); refused when group or others may read it."),
	STR("peer", "ca_file", peer_ca_file, false, "",
	    "The neighbour's certificate authority (PEM): the only one trusted "
	    "on the link."),
	STR("peer", "public_key", peer_public_key, false, "",
	    "The neighbour's Ed25519 public key (PEM), which verifies every "
	    "message it sends."),
	STR("peer", "signing_key", peer_signing_key, false, "",
	    "This service's Ed25519 private key (PEM, mode 0600) that signs "
	    "every message to the neighbour, whose public half the neighbour "
	    "configures as its public_key.  Empty: the station key "
	    "(state_dir/station-ed25519.pem), which also signs release "
	    "notices."),
	INT("peer", "max_skew_s", peer_max_skew_s, true, "300", 5, 86400,
	    "A message whose timestamp is further than this from now is "
	    "refused as stale (a replay)."),
	INT("peer", "retry_base_ms", peer_retry_ms, true, "1000", 10, 600000,
	    "Delay before the second attempt at a message; each later delay "
	    "doubles, with a random factor of 0.5 to 1.5."),
	INT("peer", "retry_max_s", peer_retry_max_s, true, "60", 1, 3600,
	    "Ceiling of the delay between attempts while the link is down."),
	INT("audit", "checkpoint_interval_s", checkpoint_interval_s, false,
	    "300", 1, 86400,
	    "Every this many seconds, and when the daemon stops, the audit "
	    "chain's head is signed with the link's signing key (or the station "
	    "key), kept in audit_checkpoints and sent to the neighbour; "
	    "skipped while the head has not moved (docs/evidence.md)."),
	INT("spool", "retry_base_ms", spool_retry_ms, true, "1000", 10, 600000,
	    "Delay before a spooled file the database could not take (503) is "
	    "taken again; each later delay doubles.  The file waits in "
	    "processing/ meanwhile."),
	INT("spool", "retry_max_s", spool_retry_max_s, true, "60", 1,
	    86400, "Ceiling of the delay between attempts at a spooled file."),
	INT("spool", "max_attempts", spool_max_attempts, true, "60", 1, 100000,
	    "Attempts at a spooled file before it is moved to failed/ with a "
	    ".err saying why (with the defaults, about 55 minutes of a "
	    "database that does not answer).  Attempts cut short by the "
	    "daemon stopping count."),
	INT("clearance", "target_minutes", target_minutes, true, "20", 1, 1440,
	    "Clearance target per train, from the arrival its arrived event "
	    "reports (a train that arrived before its manifest included)."),
	INT("clearance", "amber_left_s", amber_left_s, true, "600", 0, 86400,
	    "Seconds left on a clearance clock at which it turns amber: the "
	    "crossing is logged, audited (clock.amber), counted in /metrics "
	    "and sent to the duty endpoint (subscriptions of the format "
	    "duty).  Replaces warn_percent."),
	INT("clearance", "red_left_s", red_left_s, true, "300", 0, 86400,
	    "Seconds left at which a clock turns red (clock.red); at most "
	    "amber_left_s.  Past the target it is overdue (clock.overdue)."),
	INT("clearance", "arrival_past_max_s", arrival_past_max_s, true,
	    "3600", 0, 604800,
	    "How far before the time it is received an arrived event's \"at\" "
	    "may lie; an earlier one is refused (422) and nothing is "
	    "stored."),
	INT("clearance", "arrival_future_max_s", arrival_future_max_s, true,
	    "120", 0, 86400,
	    "How far after the time it is received an arrived event's \"at\" "
	    "may lie (the sender's clock running fast); a later one is "
	    "refused (422)."),
	INT("clearance", "warn_percent", warn_percent, true, "0", 0, 100,
	    "Obsolete: the share of the target after which a clock turned "
	    "amber.  Still read, with a warning: when amber_left_s is not "
	    "set, amber_left_s becomes the rest of the target (75: a quarter "
	    "of it).  0: not set."),
	INT("screening", "clearance_days", clearance_days, true, "180", 1,
	    3650,
	    "Days a screening clearance (\"party P is not list entry E\", "
	    "docs/screening.md) is in force from its confirmation by a "
	    "supervisor; then it expires and the party is screened against "
	    "the entry again.  A clearance keeps the expiry it was confirmed "
	    "with."),
	STR("decision", "auto_release", auto_release, true, "off",
	    "off: every decision waits for an officer's approval.  green: a "
	    "provisional RELEASE with no hit on a wagon or on the train, no "
	    "event waiting to be evaluated and no evaluation in flight, that "
	    "no officer took (a resolution, a proposal, an event they posted, "
	    "or POST /v1/trains/{id}/take), becomes final by itself "
	    "auto_release_delay_s after it was made, as system:auto-release, "
	    "with the release notices of an approval."),
	INT("decision", "auto_release_delay_s", auto_release_delay_s, true,
	    "120", 0, 86400,
	    "Seconds a green train waits for an officer to take it before it "
	    "is released by itself; a new decision (new evidence) starts them "
	    "again."),
	INT("http", "max_body_mb", max_body_mb, false, "256", 1, 4096,
	    "Largest accepted request body, after decompression, in MiB."),
	INT("http", "request_timeout_s", request_timeout_s, false, "30", 1, 3600,
	    "Seconds a client may take to send a request (headers and body), "
	    "from its first byte; a client still sending gets one more second "
	    "for every request_min_rate bytes it has sent.  A slower "
	    "connection is cut and logged."),
	INT("http", "request_min_rate", request_min_rate, false, "1024", 1,
	    1 << 30,
	    "Bytes per second a client must keep up, on average, to take "
	    "longer than request_timeout_s over a request (a large upload)."),
	INT("http", "max_connections", max_connections, false, "4096", 16,
	    1 << 20,
	    "Client connections open at once; beyond it the daemon stops "
	    "accepting until one closes.  Lowered at start to what the open "
	    "files limit allows."),
	INT("http", "max_connections_per_client", max_connections_per_client,
	    false, "256", 1, 1 << 20,
	    "Client connections open at once from one client (an IPv4 "
	    "address, or an IPv6 /64); a connection beyond it is closed as "
	    "soon as it is accepted, and the refusals are logged once per "
	    "client every 10 s.  A station's officers behind one NAT address "
	    "share it."),
	INT("http", "max_body_memory_mb", max_body_memory_mb, false, "512", 1,
	    65536,
	    "MiB of request bodies the daemon holds at once, over every "
	    "request in flight: a request whose declared body (or next chunk) "
	    "would pass it is refused with 503 and Retry-After before that "
	    "body is read.  At least max_body_mb (a lower value is raised to "
	    "it)."),
	INT("http", "token_cache_s", token_cache_s, false, "5", 0, 300,
	    "Seconds a token lookup is cached; a revoked token stops working "
	    "at most this long after revocation."),
	INT("http", "auth_failures_per_client", auth_failures_per_client,
	    false, "20", 1, 1000000,
	    "Failed authentications (no token, or a malformed, unknown, "
	    "expired or revoked one) a client may make in "
	    "auth_failures_window_s; past it, its requests that need a token "
	    "are answered 429 with Retry-After, without a database lookup, "
	    "until the window ends.  A token found valid before (since the "
	    "daemon started) is looked up all the same: an officer behind a "
	    "guesser's address keeps working."),
	INT("http", "auth_failures_window_s", auth_failures_window_s, false,
	    "10", 1, 3600,
	    "Seconds of the window over which auth_failures_per_client counts, "
	    "from a client's first failure."),
	INT("http", "session_idle_s", session_idle_s, false, "1800", 60, 86400,
	    "Seconds an officer's sign-in session lives without a request; "
	    "each request (at most one a second is counted) starts it again."),
	INT("http", "session_max_s", session_max_s, false, "43200", 300,
	    604800,
	    "Seconds a sign-in session lives at most, however busy (12 h: a "
	    "shift); then the officer signs in again."),
	BOOL("http", "session_cookie_secure", session_cookie_secure, false,
	    "false",
	    "Marks the session cookie Secure and expects https:// origins: "
	    "set it when the console is reached through a TLS proxy.  A "
	    "daemon serving TLS itself (daemon.tls_cert_file) does both "
	    "whatever this says."),
	INT("http", "signin_failures_per_name", signin_failures_per_name,
	    false, "5", 1, 1000,
	    "Failed sign-ins under one name (whether an account has it or "
	    "not) in signin_failures_window_s; past it, sign-ins under that "
	    "name are answered 429 with Retry-After until the window ends."),
	INT("http", "signin_failures_per_client", signin_failures_per_client,
	    false, "20", 1, 100000,
	    "Failed sign-ins from one client (an address or IPv6 /64) in "
	    "signin_failures_window_s; past it, its sign-ins are answered 429."),
	INT("http", "signin_failures_window_s", signin_failures_window_s,
	    false, "300", 1, 86400,
	    "Seconds of the windows of signin_failures_per_name and "
	    "signin_failures_per_client, from the first failure."),
	INT("stream", "stream_max_clients", stream_max_clients, false, "512",
	    1, 1 << 20,
	    "Consoles connected to GET /v1/stream at once; one more is "
	    "answered 503 with Retry-After.  Each holds a connection: keep it "
	    "well below max_connections (at most half of it is used), so that "
	    "streams never take the connections the API's requests need."),
	INT("stream", "stream_max_pending_kb", stream_max_pending_kb, true,
	    "1024", 64, 65536,
	    "KiB of messages the daemon holds for one stream client that "
	    "does not read them: past it, or past an eighth of it for a "
	    "second, the client is dropped (logged, "
	    "railgate_stream_dropped_total) and reconnects to catch up."),
	INT("stream", "stream_heartbeat_s", stream_heartbeat_s, true, "15", 1,
	    300,
	    "Seconds between the comment lines sent on a quiet stream, so that "
	    "proxies keep it and a dead client is noticed."),
	INT("stream", "stream_catch_up_max", stream_catch_up_max, true, "1000",
	    1, 100000,
	    "Messages a reconnecting console is sent from its Last-Event-ID; "
	    "past it, one \"reset\" event tells it to reload everything."),
};

/*
 * The names parameters had before every unit took its one short suffix
 * (_s, not _seconds): read as the new name, with a warning.
 */
static const struct param_alias {
	const char	*section;
	const char	*old_name;
	const char	*name;
} aliases[] = {
	{ "evaluation", "lease_seconds", "lease_s" },
	{ "notices", "retry_max_seconds", "retry_max_s" },
	{ "peer", "max_skew_seconds", "max_skew_s" },
	{ "peer", "retry_max_seconds", "retry_max_s" },
	{ "spool", "retry_max_seconds", "retry_max_s" },
};

/* Stores yes or no (true/false, on/off, 1/0) in *slot; 0, or -1 with *cause. */
static int
bool_set(bool *slot, const struct param *p, const char *text, char **cause)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*slot = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*slot = false;
			return 0;
		}
	}
	*cause = xasprintf("%s.%s must be yes or no, not \"%s\"", p->section,
	    p->name, text);
	return -1;
}

/*
 * Whether name is a zone of the system's time zone database (TZDIR, else
 * /usr/share/zoneinfo): a relative path of letters, digits, '_', '-',
 * '+' and '/' naming a TZif file.  0, or -1 with *cause.
 */
static int
zone_check(const char *name, char **cause)
{
	const char	*dir = getenv("TZDIR"), *s;
	char		*path, magic[4];
	FILE		*f;
	bool		 ok = false;

	if (strcmp(name, "UTC") == 0)
		return 0;
	for (s = name; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_-+/", *s) == NULL)
			break;
	if (*name != '\0' && *name != '/' && *s == '\0' &&
	    strstr(name, "..") == NULL) {
		path = xasprintf("%s/%s", dir != NULL && *dir != '\0' ? dir :
		    "/usr/share/zoneinfo", name);
		if ((f = fopen(path, "rb")) != NULL) {
			ok = fread(magic, 1, 4, f) == 4 &&
			    memcmp(magic, "TZif", 4) == 0;
			fclose(f);
		}
		free(path);
	}
	if (!ok)
		*cause = xasprintf("station.time_zone: \"%s\" is not a time zone "
		    "of the system's database (an IANA name such as "
		    "Asia/Urumqi)", name);
	return ok ? 0 : -1;
}

/* Stores text as param p's value in cfg; 0, or -1 with *cause. */
static int
param_set(struct config *cfg, const struct param *p, const char *text,
    char **cause)
{
	char	*end;
	long	 v;

	switch (p->type) {
	case PARAM_STRING: {
		char **slot = (char **)((char *)cfg + p->offset);

		if (p->check != NULL && p->check(text, cause) < 0)
			return -1;
		free(*slot);
		*slot = xstrdup(text);
		return 0;
	}
	case PARAM_INT:
		errno = 0;
		v = strtol(text, &end, 10);
		if (errno != 0 || end == text || *end != '\0' || v < p->min ||
		    v > p->max) {
			*cause = xasprintf("%s.%s must be an integer from %d to %d, "
			    "not \"%s\"", p->section, p->name, p->min, p->max, text);
			return -1;
		}
		*(int *)((char *)cfg + p->offset) = (int)v;
		return 0;
	case PARAM_BOOL:
		return bool_set((bool *)((char *)cfg + p->offset), p, text,
		    cause);
	}
	return -1;
}

/* Every parameter at its default. */
void
config_defaults(struct config *cfg)
{
	size_t	 i;
	char	*cause = NULL;

	memset(cfg, 0, sizeof *cfg);
	for (i = 0; i < nitems(params); i++)
		if (param_set(cfg, &params[i], params[i].def, &cause) < 0)
			abort();	/* a default outside its own bounds */
}

/* The parameter named section.name, or NULL. */
static const struct param *
param_find(const char *section, const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(params); i++)
		if (strcmp(params[i].section, section) == 0 &&
		    strcmp(params[i].name, name) == 0)
			return &params[i];
	return NULL;
}

/*
 * The parameter section.name once called, or NULL; *alias set to the
 * alias when name was an old one.
 */
static const struct param *
param_find_alias(const char *section, const char *name,
    const struct param_alias **alias)
{
	size_t	i;

	*alias = NULL;
	for (i = 0; i < nitems(aliases); i++)
		if (strcmp(aliases[i].section, section) == 0 &&
		    strcmp(aliases[i].old_name, name) == 0) {
			*alias = &aliases[i];
			return param_find(section, aliases[i].name);
		}
	return param_find(section, name);
}

/* Removes leading and trailing white space in place. */
static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* True if a section of that name exists in the table. */
static bool
section_known(const char *section)
{
	size_t	i;

	for (i = 0; i < nitems(params); i++)
		if (strcmp(params[i].section, section) == 0)
			return true;
	return false;
}

/*
 * Handles one line; 0, or -1 with *cause (without the file:line prefix).
 * *alias is set when the line named a parameter by an old name, *set to
 * the parameter it set.
 */
static int
config_line(struct config *cfg, char *line, char *section, size_t secsize,
    const struct param_alias **alias, const struct param **set, char **cause)
{
	const struct param	*p;
	char			*eq, *name, *value;
	size_t			 n;

	line = trim(line);
	if (*line == '\0' || *line == '#' || *line == ';')
		return 0;
	if (*line == '[') {
		n = strlen(line);
		if (line[n - 1] != ']' || n - 2 >= secsize) {
			*cause = xstrdup("malformed section header");
			return -1;
		}
		line[n - 1] = '\0';
		snprintf(section, secsize, "%s", trim(line + 1));
		if (!section_known(section)) {
			*cause = xasprintf("unknown section [%s]", section);
			return -1;
		}
		return 0;
	}
	if ((eq = strchr(line, '=')) == NULL) {
		*cause = xstrdup("expected \"name = value\"");
		return -1;
	}
	*eq = '\0';
	name = trim(line);
	value = trim(eq + 1);
	n = strlen(value);
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		value[n - 1] = '\0';
		value++;
	}
	if (*section == '\0') {
		*cause = xasprintf("parameter %s outside any section", name);
		return -1;
	}
	if ((p = param_find_alias(section, name, alias)) == NULL) {
		*cause = xasprintf("unknown parameter %s in section [%s]", name,
		    section);
		return -1;
	}
	*set = p;
	return param_set(cfg, p, value, cause);
}

/* Adds to *warnings that path:lineno named a parameter by an old name. */
static void
config_warn_alias(char **warnings, const char *path, unsigned lineno,
    const struct param_alias *a)
{
	char	*w;

	w = xasprintf("%s%s%s:%u: [%s] %s is an old name of %s: read as %s; "
	    "rename it", *warnings != NULL ? *warnings : "",
	    *warnings != NULL ? "\n" : "", path, lineno, a->section,
	    a->old_name, a->name, a->name);
	free(*warnings);
	*warnings = w;
}

/*
 * [clearance] warn_percent, obsolete (issue 18): a share of the target
 * elapsed became a time left.  Read as amber_left_s unless the file sets
 * that too, with a warning either way; then the thresholds are checked
 * together.  0, or -1 with *cause.
 */
static int
config_clearance(struct config *cfg, const char *path, unsigned warn_line,
    bool amber_set, char **warnings, char **cause)
{
	char	*w;

	if (warn_line != 0 && cfg->warn_percent > 0) {
		/* A file written for warn_percent still loads: red never
		 * comes before amber. */
		if (!amber_set) {
			cfg->amber_left_s = cfg->target_minutes * 60 *
			    (100 - cfg->warn_percent) / 100;
			if (cfg->red_left_s > cfg->amber_left_s)
				cfg->red_left_s = cfg->amber_left_s;
		}
		w = xasprintf("%s%s%s:%u: [clearance] warn_percent is "
		    "obsolete: %s; replace it with amber_left_s",
		    *warnings != NULL ? *warnings : "",
		    *warnings != NULL ? "\n" : "", path, warn_line,
		    amber_set ? "ignored, amber_left_s is set" :
		    "read as amber_left_s");
		free(*warnings);
		*warnings = w;
	}
	if (cfg->red_left_s > cfg->amber_left_s) {
		*cause = xasprintf("%s: [clearance] red_left_s (%d) must be at "
		    "most amber_left_s (%d)", path, cfg->red_left_s,
		    cfg->amber_left_s);
		return -1;
	}
	return 0;
}

/* Reads path over cfg. */
int
config_load(struct config *cfg, const char *path, char **warnings,
    char **cause)
{
	const struct param_alias *alias;
	const struct param *set;
	FILE	*f;
	char	*line = NULL, *why = NULL, section[64] = "";
	size_t	 cap = 0;
	unsigned lineno = 0, warn_line = 0;
	bool	 amber_set = false;
	int	 rc = 0;

	*warnings = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		alias = NULL;
		set = NULL;
		if (config_line(cfg, line, section, sizeof section, &alias,
		    &set, &why) < 0) {
			*cause = xasprintf("%s:%u: %s", path, lineno, why);
			free(why);
			rc = -1;
			break;
		}
		if (alias != NULL)
			config_warn_alias(warnings, path, lineno, alias);
		if (set != NULL && strcmp(set->section, "clearance") == 0) {
			if (strcmp(set->name, "warn_percent") == 0)
				warn_line = lineno;
			else if (strcmp(set->name, "amber_left_s") == 0)
				amber_set = true;
		}
	}
	if (rc == 0 && strcmp(cfg->auto_release, "off") != 0 &&
	    strcmp(cfg->auto_release, "green") != 0) {
		*cause = xasprintf("%s: decision.auto_release must be off or "
		    "green, not \"%s\"", path, cfg->auto_release);
		rc = -1;
	}
	free(line);
	fclose(f);
	if (rc == 0)
		rc = config_clearance(cfg, path, warn_line, amber_set, warnings,
		    cause);
	if (rc < 0) {
		free(*warnings);
		*warnings = NULL;
	}
	return rc;
}

/* Frees every string parameter. */
void
config_free(struct config *cfg)
{
	size_t	i;

	for (i = 0; i < nitems(params); i++) {
		if (params[i].type == PARAM_STRING) {
			char **slot = (char **)((char *)cfg + params[i].offset);

			free(*slot);
			*slot = NULL;
		}
	}
}

/* Compares the parameters SIGHUP cannot change. */
bool
config_needs_restart(const struct config *a, const struct config *b,
    const char **which)
{
	size_t	i;

	for (i = 0; i < nitems(params); i++) {
		const struct param *p = &params[i];
		const char *pa = (const char *)a + p->offset;
		const char *pb = (const char *)b + p->offset;
		bool same;

		if (p->reloadable)
			continue;
		if (p->type == PARAM_STRING)
			same = strcmp(*(char *const *)pa, *(char *const *)pb) == 0;
		else if (p->type == PARAM_BOOL)
			same = *(const bool *)pa == *(const bool *)pb;
		else
			same = *(const int *)pa == *(const int *)pb;
		if (!same) {
			*which = p->name;
			return true;
		}
	}
	return false;
}

/* The old names of p, still read with a warning, for railgate.conf(5). */
static void
config_print_aliases(FILE *out, const struct param *p)
{
	size_t	i;

	for (i = 0; i < nitems(aliases); i++)
		if (strcmp(aliases[i].section, p->section) == 0 &&
		    strcmp(aliases[i].name, p->name) == 0)
			fprintf(out, "Formerly\n.Cm %s ,\nstill read, with a "
			    "warning.\n", aliases[i].old_name);
}

/* The table as an mdoc list, for railgate.conf(5). */
void
config_print_parameters(FILE *out)
{
	const char	*section = "";
	size_t		 i;

	for (i = 0; i < nitems(params); i++) {
		const struct param *p = &params[i];

		if (strcmp(section, p->section) != 0) {
			if (*section != '\0')
				fprintf(out, ".El\n");
			section = p->section;
			fprintf(out, ".Ss [%s]\n.Bl -tag -width Ds\n", section);
		}
		fprintf(out, ".It Cm %s Ns = Ns Ar %s\n%s\n", p->name,
		    p->type == PARAM_INT ? "number" : p->type == PARAM_BOOL ?
		    "yes | no" : "string", p->doc);
		if (p->def[0] != '\0')
			fprintf(out, "Default:\n.Dq %s .\n", p->def);
		else
			fprintf(out, "Empty by default.\n");
		if (!p->reloadable)
			fprintf(out, "Changed only by a restart.\n");
		config_print_aliases(out, p);
	}
	if (*section != '\0')
		fprintf(out, ".El\n");
}
