/*
 * event_body.c -- the body of POST /v1/trains/{id}/events, checked field
 * by field (see event_body.h).  Jansson only: the fuzz target
 * tests/fuzz/fuzz_json.c runs it without a daemon.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"
#include "manifest/value.h"
#include "rules/context.h"

#include "daemon/http/auth.h"
#include "daemon/api/event_body.h"

/* A required string member; NULL (and *why set) if absent or not a string. */
static const char *
need_string(json_t *o, const char *key, char *why, size_t size)
{
	const char	*s = json_string_value(json_object_get(o, key));

	if (s == NULL || *s == '\0')
		snprintf(why, size, "\"%s\" is required and must be a string", key);
	return s;
}

/* True when s is an RFC 3339 time. */
static bool
is_time(const char *s)
{
	int64_t	t;

	return s != NULL && value_time_parse(s, strlen(s), &t) == 0;
}

/* The fields of each kind of event; each sets why when one is wrong. */
static void
check_position(json_t *o, char *why, size_t size)
{
	const char	*s = need_string(o, "eta", why, size);

	if (s != NULL && !is_time(s))
		snprintf(why, size, "\"eta\" must be an RFC 3339 time");
}

static void
check_arrived(json_t *o, char *why, size_t size)
{
	/* nothing more */
}

/* True when s holds no control character (jansson has made it UTF-8). */
static bool
is_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/*
 * A text member the rules quote in a reason ("device" in the weighbridge
 * source, "seal" in the seal read): 1 to EVENT_DEVICE_MAX bytes of one
 * line, since a newline or an escape would forge a line wherever the
 * reason is printed (railgate check, the auditor's report, the log).
 */
static void
check_text(json_t *o, const char *key, bool required, const char *what,
    char *why, size_t size)
{
	json_t		*v = json_object_get(o, key);
	const char	*s = json_string_value(v);

	if (why[0] == '\0' && (v != NULL || required) && (s == NULL ||
	    *s == '\0' || strlen(s) > EVENT_DEVICE_MAX || !is_plain(s)))
		snprintf(why, size, "\"%s\" must be a string of 1 to %d "
		    "characters without control characters, naming %s", key,
		    EVENT_DEVICE_MAX, what);
}

/*
 * The instrument read, "device": optional on control evidence (an
 * officer names the weighbridge or scanner; a device token's own name is
 * put there, event_body_admit).
 */
static void
check_device(json_t *o, char *why, size_t size)
{
	check_text(o, "device", false, "the instrument", why, size);
}

static void
check_weighbridge(json_t *o, char *why, size_t size)
{
	json_t	*kg = json_object_get(o, "gross_kg");
	json_t	*re = json_object_get(o, "reweigh");

	need_string(o, "wagon", why, size);
	if (why[0] == '\0' && (!json_is_number(kg) ||
	    !(json_number_value(kg) > 0 &&
	    json_number_value(kg) <= RULES_MAX_GROSS_KG)))
		snprintf(why, size, "\"gross_kg\" must be a number more "
		    "than 0 and at most 1000000");
	if (why[0] == '\0' && re != NULL && !json_is_boolean(re))
		snprintf(why, size, "\"reweigh\" must be true or false");
	check_device(o, why, size);
}

/* A scan names exactly one of a container or a wagon (a portal scans
 * whole wagons). */
static void
check_scan(json_t *o, char *why, size_t size)
{
	const char	*s;
	bool		 c = json_object_get(o, "container") != NULL;
	bool		 w = json_object_get(o, "wagon") != NULL;

	if (c == w)
		snprintf(why, size, "a scan names exactly one of \"container\" "
		    "or \"wagon\"");
	else
		need_string(o, c ? "container" : "wagon", why, size);
	s = why[0] == '\0' ? need_string(o, "result", why, size) : NULL;
	if (s != NULL && strcmp(s, "clear") != 0 && strcmp(s, "suspect") != 0)
		snprintf(why, size, "\"result\" must be clear or suspect");
	check_device(o, why, size);
}

static void
check_seal(json_t *o, char *why, size_t size)
{
	const char	*s;

	need_string(o, "equipment", why, size);
	check_text(o, "seal", true, "the seal's number", why, size);
	s = why[0] == '\0' ? need_string(o, "condition", why, size) : NULL;
	if (s != NULL && strcmp(s, "intact") != 0 &&
	    strcmp(s, "damaged") != 0 && strcmp(s, "missing") != 0)
		snprintf(why, size, "\"condition\" must be intact, damaged "
		    "or missing");
	check_device(o, why, size);
}

/*
 * A parcel's CT scan (docs/parcels.md): its tracking number, 1 to
 * EVENT_TRACKING_MAX printable characters on one line, as the manifest
 * gives it; whether the train carries it is api_events.c's check.
 */
static void
check_parcel_scan(json_t *o, char *why, size_t size)
{
	const char	*s = need_string(o, "tracking", why, size);

	if (s != NULL && (!is_plain(s) || utf8_chars(s) > EVENT_TRACKING_MAX ||
	    s[0] == ' ' || s[strlen(s) - 1] == ' '))
		snprintf(why, size, "\"tracking\" must be a parcel's tracking "
		    "number: 1 to %d printable characters on one line, without "
		    "surrounding spaces", EVENT_TRACKING_MAX);
	s = why[0] == '\0' ? need_string(o, "result", why, size) : NULL;
	if (s != NULL && strcmp(s, "clear") != 0 && strcmp(s, "suspect") != 0)
		snprintf(why, size, "\"result\" must be clear or suspect");
	check_device(o, why, size);
}

/* A container's set-aside parcels are off the train (docs/parcels.md). */
static void
check_unloaded(json_t *o, char *why, size_t size)
{
	check_text(o, "container", true, "the container unloaded", why, size);
	check_device(o, why, size);
}

/*
 * The kinds of event, their fields, and who may post them.  A railway
 * operator reports where its train is; what customs found on it (the
 * mass on the weighbridge, the scanner's result, the state of a seal) is
 * control evidence the rules decide on, so it comes from customs
 * officers (supervisors included) or customs' own instruments (a device
 * token per weighbridge or scanner) -- never from the party whose goods
 * are being controlled.  A device posts readings only: a re-weigh is an
 * officer's act (event_body_admit).
 */
static const struct event_kind {
	const char	*type;
	void		(*check)(json_t *, char *, size_t);
	unsigned	 roles;		/* AUTH_* mask */
	const char	*members[5];	/* besides "type" and "at" */
} kinds[] = {
	{ "position", check_position, AUTH_OPERATOR | AUTH_OFFICER,
	    { "eta" } },
	{ "arrived", check_arrived, AUTH_OPERATOR | AUTH_OFFICER, { NULL } },
	{ "weighbridge", check_weighbridge, AUTH_OFFICER | AUTH_DEVICE,
	    { "wagon", "gross_kg", "device", "reweigh" } },
	{ "scan", check_scan, AUTH_OFFICER | AUTH_DEVICE,
	    { "container", "wagon", "result", "device" } },
	{ "seal_check", check_seal, AUTH_OFFICER | AUTH_DEVICE,
	    { "equipment", "seal", "condition", "device" } },
	{ "parcel_scan", check_parcel_scan, AUTH_OFFICER | AUTH_DEVICE,
	    { "tracking", "result", "device" } },
	{ "unloaded", check_unloaded, AUTH_OFFICER | AUTH_DEVICE,
	    { "container", "device" } },
	/* parcel_resolution is no kind here: the daemon writes it for POST
	 * /v1/trains/{id}/parcels/resolution, nobody posts it. */
};

/* The kind named type, or NULL. */
static const struct event_kind *
kind_find(const char *type)
{
	size_t	i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].type, type) == 0)
			return &kinds[i];
	return NULL;
}

unsigned
event_body_roles(const char *type)
{
	const struct event_kind	*k = type != NULL ? kind_find(type) : NULL;

	return k != NULL ? k->roles : 0;
}

/*
 * Refuses a member kind k does not name.  What is stored is replayed
 * through rules_context_load_events for ever, wrapped in the evaluator's
 * array of events: a member nested to jansson's depth limit was taken
 * here and made every later evaluation of the train fail; a seal check's
 * stray "wagon" was the equipment add_event() checked instead of its
 * own.  Only known members, each a text, number or boolean, are stored.
 */
static void
check_members(json_t *o, const struct event_kind *k, char *why, size_t size)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	json_object_foreach(o, key, v) {
		if (strcmp(key, "type") == 0 || strcmp(key, "at") == 0)
			continue;
		for (i = 0; i < nitems(k->members) && k->members[i] != NULL &&
		    strcmp(k->members[i], key) != 0; i++)
			;
		if (i == nitems(k->members) || k->members[i] == NULL) {
			snprintf(why, size, "\"%.64s\" is not a member of a %s "
			    "event (docs/daemon.md, \"Events\")", key, k->type);
			return;
		}
	}
}

/* Checks an event body; 0, or -1 with why filled. */
static int
event_check(json_t *o, const char *type, char *why, size_t size)
{
	const struct event_kind	*k = kind_find(type);
	const char		*at = json_string_value(json_object_get(o, "at"));

	why[0] = '\0';
	if (json_object_get(o, "at") != NULL && !is_time(at)) {
		snprintf(why, size, "\"at\" must be an RFC 3339 time");
		return -1;
	}
	if (k == NULL)
		snprintf(why, size, "\"type\" must be position, arrived, "
		    "weighbridge, scan, seal_check, parcel_scan or unloaded");
	else {
		k->check(o, why, size);
		if (why[0] == '\0')
			check_members(o, k, why, size);
	}
	return why[0] == '\0' ? 0 : -1;
}

int
event_body_parse(const unsigned char *body, size_t len, json_t **out,
    const char **type, char *why, size_t size)
{
	json_error_t	 err;
	json_t		*o;

	*out = NULL;
	*type = NULL;
	if (len == 0 || len > EVENT_BODY_MAX) {
		snprintf(why, size, "an event is a JSON object of at most 64 KiB");
		return len == 0 ? 400 : 413;
	}
	o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL || !json_is_object(o)) {
		snprintf(why, size, "invalid JSON at line %d, column %d: %s",
		    err.line, err.column, o == NULL ? err.text : "not an object");
		json_decref(o);
		return 400;
	}
	*type = json_string_value(json_object_get(o, "type"));
	if (*type == NULL) {
		snprintf(why, size, "\"type\" is required");
		json_decref(o);
		return 422;
	}
	if (event_check(o, *type, why, size) < 0) {
		json_decref(o);
		*type = NULL;
		return 422;
	}
	*out = o;
	return 0;
}

int
event_body_admit(json_t *o, const char *type, enum auth_role role,
    const char *principal, const char **device, char *why, size_t size)
{
	const char	*named = json_string_value(json_object_get(o, "device"));

	*device = NULL;
	if (!auth_role_allows(event_body_roles(type), role)) {
		snprintf(why, size, "the %s role may not post %s events: "
		    "control evidence (weighbridge, scan, seal_check, "
		    "parcel_scan, unloaded) comes "
		    "from customs officers and their devices; operators post "
		    "position and arrived", auth_role_name(role), type);
		return 403;
	}
	if (role != AUTH_DEVICE) {
		*device = named;
		return 0;
	}
	if (json_is_true(json_object_get(o, "reweigh"))) {
		snprintf(why, size, "a device may not record a re-weigh: an "
		    "officer or supervisor does");
		return 403;
	}
	if (named != NULL && strcmp(named, principal) != 0) {
		snprintf(why, size, "a device posts its own readings: \"device\" "
		    "must be absent or \"%.*s\"", EVENT_DEVICE_MAX, principal);
		return 422;
	}
	/* The rules see which instrument a reading came from. */
	if (named == NULL)
		json_object_set_new(o, "device", json_string(principal));
	*device = json_string_value(json_object_get(o, "device"));
	return 0;
}
