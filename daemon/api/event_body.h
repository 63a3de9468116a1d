/*
 * event_body.h -- the body of POST /v1/trains/{id}/events: a JSON object
 * of at most EVENT_BODY_MAX bytes whose "type" names one of the event
 * kinds of docs/daemon.md, each with its required fields and the roles
 * that may post it.  Pure: no daemon state, safe on any thread.
 */
#ifndef DAEMON_API_EVENT_BODY_H
#define DAEMON_API_EVENT_BODY_H

#include <stddef.h>

#include <jansson.h>

#include "daemon/http/auth.h"

#define EVENT_BODY_MAX		65536
#define EVENT_DEVICE_MAX	128	/* bytes of a "device" name */
#define EVENT_TRACKING_MAX	35	/* characters of a parcel's tracking number */

/*
 * Parses and checks body: 0 with *out (the object, owned by the caller)
 * and *type (borrowed from it); otherwise the HTTP status to answer --
 * 400 (empty or not a JSON object), 413 (too large), 422 (a field
 * missing or wrong) -- with why saying what and where.
 */
int event_body_parse(const unsigned char *body, size_t len, json_t **out,
    const char **type, char *why, size_t size);
/*
 * The roles (AUTH_* mask, auth_role_allows) that may post an event of
 * type: position and arrived from operators and officers, control
 * evidence (weighbridge, scan, seal_check) from officers and devices; 0
 * for an unknown type.
 */
unsigned event_body_roles(const char *type);
/*
 * Whether a principal of role may post the parsed event o of type, and
 * the instrument it came from: 0 with *device (borrowed from o; NULL when
 * none), or 403 (the role may not post the type; a device recording a
 * re-weigh) or 422 (a device naming another device), with why.  A
 * device token's readings get its principal as "device" in o.
 */
int event_body_admit(json_t *o, const char *type, enum auth_role role,
    const char *principal, const char **device, char *why, size_t size);

#endif
