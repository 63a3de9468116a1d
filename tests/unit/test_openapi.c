/*
 * test_openapi.c -- the OpenAPI document the daemon serves (the one
 * embedded from daemon/api/openapi.json) against itself and against the
 * route table (daemon/api/api.c), without Redocly (issue 21, item 8;
 * scripts/lint.sh runs Redocly's full rules when it is installed).
 *
 * Each operation has a unique camelCase operationId and at least one 4xx
 * response; each {name} of a path is a declared, required path parameter
 * and each declared path parameter is in the path; each local "$ref"
 * resolves; and the document's operations are exactly the table's routes
 * (method and path), a public route (no role) exactly an operation with
 * no security, every other one answering 401 and 403.  A failure names
 * the operation.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>

#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/http/auth.h"
#include "daemon/http/http_int.h"

#include "unit.h"

extern const char	api_openapi_json[];
extern const size_t	api_openapi_json_len;

static const char *const methods[] = { "get", "put", "post", "delete",
    "patch", "head", "options" };

static json_t *
load_doc(void)
{
	json_error_t	 e;
	json_t		*doc = json_loadb(api_openapi_json, api_openapi_json_len,
			    0, &e);

	if (doc == NULL)
		fprintf(stderr, "\n  openapi.json: line %d: %s", e.line, e.text);
	return doc;
}

/* The object a local reference ("#/components/parameters/id") names. */
static json_t *
resolve(json_t *doc, const char *ref)
{
	char	 part[128];
	json_t	*at = doc;
	size_t	 n;

	if (strncmp(ref, "#/", 2) != 0)
		return NULL;
	for (ref += 2; at != NULL && *ref != '\0'; ref += n + (ref[n] == '/')) {
		n = strcspn(ref, "/");
		if (n >= sizeof part)
			return NULL;
		memcpy(part, ref, n);
		part[n] = '\0';
		at = json_object_get(at, part);
	}
	return at;
}

/* p itself, or what its "$ref" names. */
static json_t *
deref(json_t *doc, json_t *p)
{
	const char	*ref = json_string_value(json_object_get(p, "$ref"));

	return ref != NULL ? resolve(doc, ref) : p;
}

static bool
is_method(const char *key)
{
	size_t	i;

	for (i = 0; i < nitems(methods); i++)
		if (strcmp(key, methods[i]) == 0)
			return true;
	return false;
}

/* Whether the declared parameters (path's, then operation's) have name in path. */
static bool
param_declared(json_t *doc, json_t *path_item, json_t *op, const char *name)
{
	json_t	*lists[2] = { json_object_get(path_item, "parameters"),
		    json_object_get(op, "parameters") }, *p;
	size_t	 i, k;

	for (k = 0; k < 2; k++)
		json_array_foreach(lists[k], i, p) {
			p = deref(doc, p);
			if (json_is_string(json_object_get(p, "name")) &&
			    strcmp(json_string_value(json_object_get(p, "name")),
			    name) == 0 && strcmp(json_string_value(
			    json_object_get(p, "in")) ?: "", "path") == 0)
				return json_is_true(json_object_get(p,
				    "required"));
		}
	return false;
}

/* Each {name} of path is declared; each declared path parameter is in path. */
static int
check_path_params(json_t *doc, const char *path, json_t *item, json_t *op,
    const char *method)
{
	json_t		*lists[2] = { json_object_get(item, "parameters"),
			    json_object_get(op, "parameters") }, *p;
	const char	*s, *e, *in, *name;
	char		 want[128], brace[132];
	int		 bad = 0;
	size_t		 i, k;

	for (s = path; (s = strchr(s, '{')) != NULL; s = e) {
		if ((e = strchr(s, '}')) == NULL || (size_t)(e - s) >= sizeof want)
			return 1;
		snprintf(want, sizeof want, "%.*s", (int)(e - s - 1), s + 1);
		if (!param_declared(doc, item, op, want)) {
			fprintf(stderr, "\n  %s %s: path parameter {%s} not "
			    "declared (in: path, required: true)", method, path,
			    want);
			bad++;
		}
	}
	for (k = 0; k < 2; k++)
		json_array_foreach(lists[k], i, p) {
			p = deref(doc, p);
			in = json_string_value(json_object_get(p, "in"));
			name = json_string_value(json_object_get(p, "name"));
			if (in == NULL || strcmp(in, "path") != 0 || name == NULL)
				continue;
			snprintf(brace, sizeof brace, "{%s}", name);
			if (strstr(path, brace) == NULL) {
				fprintf(stderr, "\n  %s %s: declares path "
				    "parameter %s not in the path", method, path,
				    name);
				bad++;
			}
		}
	return bad;
}

/* operationId present, camelCase, not seen before; a 4xx response. */
static int
check_operation(json_t *doc, const char *path, json_t *item,
    const char *method, json_t *op, json_t *seen_ids)
{
	const char	*id = json_string_value(json_object_get(op,
			    "operationId")), *code, *s;
	json_t		*v;
	int		 bad = 0, n4xx = 0;

	if (id == NULL || !islower((unsigned char)id[0])) {
		fprintf(stderr, "\n  %s %s: no camelCase operationId", method,
		    path);
		bad++;
	} else {
		for (s = id; *s != '\0'; s++)
			if (!isalnum((unsigned char)*s))
				break;
		if (*s != '\0' || json_object_get(seen_ids, id) != NULL) {
			fprintf(stderr, "\n  %s %s: operationId %s is not "
			    "alphanumeric or not unique", method, path, id);
			bad++;
		}
		json_object_set_new(seen_ids, id, json_true());
	}
	json_object_foreach(json_object_get(op, "responses"), code, v)
		if (code[0] == '4' && strlen(code) == 3) {
			n4xx++;
			if (deref(doc, v) == NULL) {
				fprintf(stderr, "\n  %s %s: response %s refers "
				    "to nothing", method, path, code);
				bad++;
			}
		}
	if (n4xx == 0) {
		fprintf(stderr, "\n  %s %s: no 4xx response", method, path);
		bad++;
	}
	return bad + check_path_params(doc, path, item, op, method);
}

static void
t_openapi_operations(void)
{
	json_t		*doc = load_doc(), *item, *op, *ids = json_object();
	const char	*path, *method;
	int		 bad = 0, n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	json_object_foreach(json_object_get(doc, "paths"), path, item)
		json_object_foreach(item, method, op) {
			if (!is_method(method))
				continue;
			n++;
			bad += check_operation(doc, path, item, method, op, ids);
		}
	if (bad > 0)
		fprintf(stderr, "\n");
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(n >= 50);
	json_decref(ids);
	json_decref(doc);
}

/* Every "$ref" under v (a local one) resolves in doc. */
static int
check_refs(json_t *doc, json_t *v)
{
	const char	*key, *ref;
	json_t		*x;
	size_t		 i;
	int		 bad = 0;

	if (json_is_array(v))
		json_array_foreach(v, i, x)
			bad += check_refs(doc, x);
	if (!json_is_object(v))
		return bad;
	if ((ref = json_string_value(json_object_get(v, "$ref"))) != NULL &&
	    resolve(doc, ref) == NULL) {
		fprintf(stderr, "\n  openapi.json: \"$ref\": \"%s\" resolves to "
		    "nothing", ref);
		bad++;
	}
	json_object_foreach(v, key, x)
		bad += check_refs(doc, x);
	return bad;
}

static void
t_openapi_refs_resolve(void)
{
	json_t	*doc = load_doc();

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(check_refs(doc, doc), 0);
	CU_ASSERT_PTR_NULL(resolve(doc, "#/components/responses/Nothing"));
	CU_ASSERT_PTR_NOT_NULL(resolve(doc, "#/components/responses/Problem"));
	json_decref(doc);
}

/* The document's operation for a route, or NULL. */
static json_t *
route_operation(json_t *doc, const struct http_route *r)
{
	char	 m[16];
	size_t	 i;

	snprintf(m, sizeof m, "%s", http_method_name(r->method));
	for (i = 0; m[i] != '\0'; i++)
		m[i] = (char)tolower((unsigned char)m[i]);
	return json_object_get(json_object_get(json_object_get(doc, "paths"),
	    r->pattern), m);
}

/* One route against its operation: there, public alike, 401 and 403. */
static int
check_route(json_t *doc, const struct http_route *r)
{
	json_t	*op = route_operation(doc, r), *sec, *resp;
	bool	 public_op;

	if (op == NULL) {
		fprintf(stderr, "\n  api.c route %s %s: not in openapi.json",
		    http_method_name(r->method), r->pattern);
		return 1;
	}
	sec = json_object_get(op, "security");
	public_op = json_is_array(sec) && json_array_size(sec) == 0;
	if (public_op != (r->roles == AUTH_NONE)) {
		fprintf(stderr, "\n  %s %s: public in %s only",
		    http_method_name(r->method), r->pattern,
		    public_op ? "openapi.json" : "api.c");
		return 1;
	}
	resp = json_object_get(op, "responses");
	if (!public_op && (json_object_get(resp, "401") == NULL ||
	    json_object_get(resp, "403") == NULL)) {
		fprintf(stderr, "\n  %s %s: behind a token, without 401 and "
		    "403", http_method_name(r->method), r->pattern);
		return 1;
	}
	return 0;
}

static void
t_openapi_matches_route_table(void)
{
	json_t		*doc = load_doc(), *item, *op;
	const char	*path, *method;
	char		 m[16];
	size_t		 i, k;
	int		 bad = 0;
	bool		 found;

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(api_route_count >= 50);
	for (i = 0; i < api_route_count; i++)
		bad += check_route(doc, &api_routes[i]);
	/* And the other way: every operation is a route of the table. */
	json_object_foreach(json_object_get(doc, "paths"), path, item)
		json_object_foreach(item, method, op) {
			if (!is_method(method))
				continue;
			for (i = 0, found = false; i < api_route_count &&
			    !found; i++) {
				snprintf(m, sizeof m, "%s",
				    http_method_name(api_routes[i].method));
				for (k = 0; m[k] != '\0'; k++)
					m[k] = (char)tolower((unsigned char)m[k]);
				found = strcmp(m, method) == 0 &&
				    strcmp(api_routes[i].pattern, path) == 0;
			}
			if (!found) {
				fprintf(stderr, "\n  openapi.json %s %s: no such "
				    "route in daemon/api/api.c", method, path);
				bad++;
			}
		}
	if (bad > 0)
		fprintf(stderr, "\n");
	CU_ASSERT_EQUAL(bad, 0);
	json_decref(doc);
}

static CU_TestInfo openapi_tests[] = {
	{ "t_openapi_operations", t_openapi_operations },
	{ "t_openapi_refs_resolve", t_openapi_refs_resolve },
	{ "t_openapi_matches_route_table", t_openapi_matches_route_table },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("openapi", NULL, NULL, openapi_tests)
