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

#define EVENT_BODY_MAX	65536

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
 * evidence (weighbridge, scan, seal_check) from officers only; 0 for an
 * unknown type.
 */
unsigned event_body_roles(const char *type);

#endif
