/*
 * test_attack_i22.c -- issue 22's parcel safeguards attacked against the
 * real daemon and PostgreSQL (integration_attack_i22): each way round a
 * safeguard kept as the test that tried it.
 *
 * Holes found, and fixed:
 *
 * - after approval, a parcel set aside on a wagon the final decision
 *   holds (a CT scan after the approval) did not stop the amendment that
 *   let the wagon go: finalize_decision() read the containers to unload
 *   from the final document, made before the scan; and a container
 *   unloaded after the approval stopped its held wagon for ever.  It
 *   reads the run's latest evaluation now (60_officers.sql);
 * - the same for a wagon the final decision set out for inspection: only
 *   HOLD and REFUSE wagons counted in an amendment, so an officer's
 *   release after the inspection let a suspect parcel go;
 * - after one amendment (another wagon let go) the latest decision was
 *   the amended final document, made from the approval's: the held
 *   wagon then went with its suspect parcel, and its container could
 *   not be unloaded (409 Nothing to unload).  add_event() and
 *   parcel_context() (40_events.sql) read the latest evaluation too.
 *
 * Paths that held: see each test's comment.
 *
 * Small trains from `railgate gen --ecommerce` (a few parcels over
 * 5,000 CNY set aside by ecommerce-value); each test its own train
 * number (the seed), so the tests do not depend on each other's order.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"
#include "runs.h"
#include "unit.h"

static struct harness_pg	pg;
static struct harness_daemon	dm;
static char	operator_token[64], officer_token[64], officer2_token[64];
static char	sup_token[64], sup2_token[64], device_token[64];

/* A small e-commerce train of seed (caller frees), NULL if none. */
static char *
generate(int seed, size_t *len)
{
	char	args[256], name[32];

	snprintf(args, sizeof args, "--ecommerce --items 40 --wagons 3 "
	    "--seed %d --risk 0,value=0.2", seed);
	snprintf(name, sizeof name, "i22-%d.edi", seed);
	return runs_generate(dm.dir, args, name, len);
}

static const json_t *
parcels_of(const json_t *d, const char *key)
{
	return json_object_get(json_object_get(d, "parcels"), key);
}

/* POST /v1/trains/{t}/events as token; status (body into *body). */
static int
post_event(const char *t, const char *token, const char *json, char **body)
{
	char	path[128];
	int	s;
	char	*b = NULL;

	snprintf(path, sizeof path, "/v1/trains/%s/events", t);
	s = officers_call(dm.port, token, "POST", path, json, &b);
	if (body != NULL)
		*body = b;
	else
		free(b);
	return s;
}

/* Posts an unloaded event for container c of t; the status. */
static int
unload(const char *t, const char *token, const char *c)
{
	char	json[256];

	snprintf(json, sizeof json, "{\"type\":\"unloaded\",\"container\":"
	    "\"%s\"}", c);
	return post_event(t, token, json, NULL);
}

/* Unloads every container of t's latest decision; waits for the next. */
static bool
unload_all(const char *t)
{
	json_t		*d = runs_latest_decision(&pg, t), *u;
	long		 id = runs_decision_id(&pg, t);
	size_t		 i;
	bool		 any = false;

	json_array_foreach(parcels_of(d, "unload"), i, u) {
		if (json_is_true(json_object_get(u, "unloaded")))
			continue;
		CU_ASSERT_EQUAL(unload(t, officer_token, runs_str(u, "container")),
		    202);
		any = true;
	}
	json_decref(d);
	return !any || runs_decided_after(&pg, t, id);
}

/* The stored action of wagon position pos of t. */
static char *
wagon_action(const char *t, int pos)
{
	return officers_sql(&pg, "SELECT coalesce(w.action, '(none)') FROM "
	    "wagons w JOIN trains t ON t.id = w.train_id WHERE t.train_no = "
	    "'%s' AND w.position = %d", t, pos);
}

/*
 * A tracking number in container c of the manifest edi that the
 * decision d does not set aside (caller frees), NULL if none.
 */
static char *
parcel_in(const char *edi, const char *c, const json_t *d)
{
	char		 pat[64], t[40];
	const char	*p = edi;
	const json_t	*e;
	size_t		 n, i;
	bool		 aside;

	snprintf(pat, sizeof pat, "SGP+%s+", c);
	while ((p = strstr(p, pat)) != NULL) {
		p = strstr(p, "PCI+18+");
		if (p == NULL)
			return NULL;
		p += 7;
		n = strcspn(p, "'+:");
		if (n == 0 || n >= sizeof t)
			continue;
		memcpy(t, p, n);
		t[n] = '\0';
		aside = false;
		json_array_foreach(parcels_of(d, "set_aside"), i, e)
			if (strcmp(runs_str(e, "tracking"), t) == 0)
				aside = true;
		if (!aside)
			return xstrdup(t);
	}
	return NULL;
}

/* seed's manifest with one substitution (the first), as a replacement
 * (function 5) when replace; posted, then decided.  The status. */
static int
post_variant(const char *edi, const char *from, const char *to,
    bool replace, char *t, size_t tsize)
{
	const char	*p = strstr(edi, from), *bgm;
	struct buf	 b = { 0 };
	int		 s;

	if (p == NULL)
		return -1;
	buf_add(&b, edi, (size_t)(p - edi));
	buf_add_str(&b, to);
	buf_add_str(&b, p + strlen(from));
	buf_add(&b, "", 1);
	if (replace && (bgm = strstr(b.data, "BGM+85+")) != NULL) {
		char *q = strchr(bgm + 7, '+');

		if (q != NULL && q[1] == '9')
			q[1] = '5';
	}
	s = runs_post_manifest(dm.port, operator_token, b.data, b.len - 1, t,
	    tsize);
	buf_free(&b);
	return s;
}

/* Posts seed's train; its number into t. */
static char *
train_of(int seed, char *t, size_t tsize)
{
	size_t	 len;
	char	*edi = generate(seed, &len);

	if (edi == NULL || runs_post_manifest(dm.port, operator_token, edi, len,
	    t, tsize) != 202 || !officers_decided(&pg, t)) {
		free(edi);
		return NULL;
	}
	return edi;
}

/* The number of the wagon at pos of train t, and its first container. */
static char *
wagon_at(const char *t, int pos)
{
	return officers_sql(&pg, "SELECT w.number FROM wagons w JOIN trains "
	    "t ON t.id = w.train_id WHERE t.train_no = '%s' AND w.position = "
	    "%d", t, pos);
}

static char *
container_at(const char *t, int pos)
{
	return officers_sql(&pg, "SELECT w.container_numbers[1] FROM wagons w "
	    "JOIN trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.position = %d", t, pos);
}

/* Asserts the action in force of the wagon at pos of train t. */
static void
expect_action(const char *t, int pos, const char *want)
{
	char	*v = wagon_action(t, pos);

	CU_ASSERT_STRING_EQUAL(v, want);
	free(v);
}

/* A resolution of wagon w of t by token; its status (printed if not 200). */
static int
resolve(const char *token, const char *t, const char *w, const char *action)
{
	char	*body = NULL;
	int	 s = officers_resolve(dm.port, token, t, w, action, &body);

	if (s != 200)
		fprintf(stderr, "\n%s -> %d %s\n", action, s, body);
	free(body);
	return s;
}

/* The second officer approves t; the status (printed if not 200). */
static int
approve(const char *t)
{
	char	*body = NULL;
	int	 s = officers_approve(dm.port, officer2_token, t, &body);

	if (s != 200)
		fprintf(stderr, "\napprove -> %d %s\n", s, body);
	free(body);
	return s;
}

/* Posts event json by token and waits for t's next decision. */
static bool
event_decided(const char *t, const char *token, const char *json)
{
	long	id = runs_decision_id(&pg, t);

	return post_event(t, token, json, NULL) == 202 &&
	    runs_decided_after(&pg, t, id);
}

/* A device's suspect CT scan of parcel tracking; t decided after it. */
static bool
scan_suspect(const char *t, const char *tracking)
{
	char	json[256];

	snprintf(json, sizeof json, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"%s\",\"result\":\"suspect\"}", tracking);
	return event_decided(t, device_token, json);
}

/* Container c of t unloaded by the device; t decided after it. */
static bool
unloaded(const char *t, const char *c)
{
	long	id = runs_decision_id(&pg, t);

	return unload(t, device_token, c) == 202 &&
	    runs_decided_after(&pg, t, id);
}

static int
attack_init(void)
{
	char	conf[2048];

	if (harness_pg_start(&pg) < 0)
		return -1;
	snprintf(conf, sizeof conf, "%s[station]\nparcel_setaside = yes\n",
	    pg.conf);
	if (harness_daemon_start(&dm, conf) < 0)
		return -1;
	if (harness_token(&pg, "operator", "ktze.operator",
	    operator_token) < 0 ||
	    harness_token(&pg, "officer", "o.one", officer_token) < 0 ||
	    harness_token(&pg, "officer", "o.two", officer2_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.one", sup_token) < 0 ||
	    harness_token(&pg, "supervisor", "s.two", sup2_token) < 0 ||
	    harness_token(&pg, "device", "ct-1", device_token) < 0)
		return -1;
	return 0;
}

static int
attack_clean(void)
{
	harness_daemon_stop(&dm);
	harness_pg_stop(&pg);
	return 0;
}

/*
 * Hole: a wagon the final decision holds, one of whose parcels is set
 * aside after the approval (a suspect CT scan), let go by a supervisor's
 * resolution while the parcel is on board.  The amendment must wait for
 * the container's unloading; once unloaded, the wagon goes.
 */
static void
t_i22_held_wagon_scan_after_final(void)
{
	char		 t[32] = "", *edi, *wagon, *cont, *tracking, *v;
	json_t		*d;

	edi = train_of(41, t, sizeof t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(edi);
	wagon = wagon_at(t, 1);
	cont = container_at(t, 1);
	d = runs_latest_decision(&pg, t);
	tracking = parcel_in(edi, cont, d);
	json_decref(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tracking);
	/* The officer holds wagon 1; the others' parcels come off; approval. */
	CU_ASSERT_EQUAL(resolve(officer_token, t, wagon, "hold"), 200);
	CU_ASSERT_TRUE_FATAL(officers_decided(&pg, t));
	CU_ASSERT_TRUE_FATAL(unload_all(t));
	CU_ASSERT_EQUAL_FATAL(approve(t), 200);
	expect_action(t, 1, "HOLD");
	/* After approval: a suspect scan of a parcel on the held wagon. */
	CU_ASSERT_TRUE_FATAL(scan_suspect(t, tracking));
	d = runs_latest_decision(&pg, t);
	v = json_dumps(parcels_of(d, "set_aside"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(v, tracking));
	free(v);
	json_decref(d);
	/* A supervisor lets the wagon go: the parcel is still on board. */
	(void)resolve(sup_token, t, wagon, "release");
	expect_action(t, 1, "HOLD");
	/* Unloaded: the wagon's next resolution lets it go. */
	CU_ASSERT_TRUE_FATAL(unloaded(t, cont));
	CU_ASSERT_EQUAL(resolve(sup_token, t, wagon, "hold"), 200);
	(void)resolve(sup2_token, t, wagon, "release");
	expect_action(t, 1, "RELEASE");
	free(edi);
	free(wagon);
	free(cont);
	free(tracking);
}

/*
 * Hole: the same with a wagon the final decision sets out for
 * inspection: released after the inspection, by an officer, while a
 * parcel set aside on it after the approval is still on board.
 */
static void
t_i22_inspected_wagon_scan_after_final(void)
{
	char		 t[32] = "", *edi, *wagon, *cont, *tracking;
	json_t		*d;

	edi = train_of(47, t, sizeof t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(edi);
	wagon = wagon_at(t, 1);
	cont = container_at(t, 1);
	d = runs_latest_decision(&pg, t);
	tracking = parcel_in(edi, cont, d);
	json_decref(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tracking);
	CU_ASSERT_EQUAL(resolve(officer_token, t, wagon, "inspect"), 200);
	CU_ASSERT_TRUE_FATAL(officers_decided(&pg, t));
	CU_ASSERT_TRUE_FATAL(unload_all(t));
	CU_ASSERT_EQUAL_FATAL(approve(t), 200);
	expect_action(t, 1, "INSPECT");
	CU_ASSERT_TRUE_FATAL(scan_suspect(t, tracking));
	/* Inspected, released: the suspect parcel is still on board. */
	CU_ASSERT_EQUAL(resolve(officer_token, t, wagon, "release"), 200);
	expect_action(t, 1, "INSPECT");
	CU_ASSERT_TRUE_FATAL(unloaded(t, cont));
	CU_ASSERT_EQUAL(resolve(officer_token, t, wagon, "inspect"), 200);
	CU_ASSERT_EQUAL(resolve(officer2_token, t, wagon, "release"), 200);
	expect_action(t, 1, "RELEASE");
	free(edi);
	free(wagon);
	free(cont);
	free(tracking);
}

/*
 * Hole: after an amendment (another wagon let go), the latest decision
 * is the amended final document, made from the approval's: it listed
 * no parcel set aside since, so the held wagon then went with its
 * suspect parcel, and the container could not be unloaded (409 Nothing
 * to unload).  The latest evaluation is read.
 */
static void
t_i22_amended_then_released(void)
{
	char		 t[32] = "", *edi, *w1, *w2, *cont, *tracking;
	json_t		*d;

	edi = train_of(48, t, sizeof t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(edi);
	w1 = wagon_at(t, 1);
	w2 = wagon_at(t, 2);
	cont = container_at(t, 1);
	d = runs_latest_decision(&pg, t);
	tracking = parcel_in(edi, cont, d);
	json_decref(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tracking);
	CU_ASSERT_EQUAL(resolve(officer_token, t, w1, "hold"), 200);
	CU_ASSERT_EQUAL(resolve(officer_token, t, w2, "hold"), 200);
	CU_ASSERT_TRUE_FATAL(officers_decided(&pg, t));
	CU_ASSERT_TRUE_FATAL(unload_all(t));
	CU_ASSERT_EQUAL_FATAL(approve(t), 200);
	CU_ASSERT_TRUE_FATAL(scan_suspect(t, tracking));
	/* Wagon 2 goes (an amendment), then wagon 1 is let go. */
	CU_ASSERT_EQUAL(resolve(sup_token, t, w2, "release"), 200);
	expect_action(t, 2, "RELEASE");
	CU_ASSERT_EQUAL(resolve(sup_token, t, w1, "release"), 200);
	expect_action(t, 1, "HOLD");
	/* The parcel taken off; the wagon goes. */
	CU_ASSERT_TRUE_FATAL(unloaded(t, cont));
	CU_ASSERT_EQUAL(resolve(sup_token, t, w1, "hold"), 200);
	CU_ASSERT_EQUAL(resolve(sup2_token, t, w1, "release"), 200);
	expect_action(t, 1, "RELEASE");
	free(edi);
	free(w1);
	free(w2);
	free(cont);
	free(tracking);
}

/*
 * A wagon with a container still to unload, held by an officer: the
 * approval does not wait for it (nothing of it leaves).  Unloaded after
 * the approval, the wagon's release amends the final decision -- it
 * must not be refused for ever on the final document's stale list.
 */
static void
t_i22_held_wagon_unloaded_after_final(void)
{
	char		 t[32] = "", *edi, *wagon;
	json_t		*d, *u;
	long		 id;
	size_t		 i, pos;

	edi = train_of(42, t, sizeof t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(edi);
	d = runs_latest_decision(&pg, t);
	u = json_array_get(parcels_of(d, "unload"), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	pos = (size_t)json_integer_value(json_object_get(u, "position"));
	wagon = xstrdup(runs_str(u, "wagon"));
	CU_ASSERT_EQUAL(officers_resolve(dm.port, officer_token, t, wagon,
	    "hold", NULL), 200);
	CU_ASSERT_TRUE_FATAL(officers_decided(&pg, t));
	/* Every other container unloaded, this one kept. */
	json_array_foreach(parcels_of(d, "unload"), i, u)
		if (strcmp(runs_str(u, "wagon"), wagon) != 0)
			CU_ASSERT_EQUAL(unload(t, officer_token,
			    runs_str(u, "container")), 202);
	CU_ASSERT_TRUE_FATAL(officers_decided(&pg, t));
	CU_ASSERT_EQUAL_FATAL(approve(t), 200);
	/* Released before the unloading: the final decision stands. */
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup_token, t, wagon,
	    "release", NULL), 200);
	expect_action(t, (int)pos, "HOLD");
	CU_ASSERT_EQUAL(officers_resolve(dm.port, sup_token, t, wagon,
	    "hold", NULL), 200);
	id = runs_decision_id(&pg, t);
	json_array_foreach(parcels_of(d, "unload"), i, u)
		if (strcmp(runs_str(u, "wagon"), wagon) == 0)
			CU_ASSERT_EQUAL(unload(t, device_token,
			    runs_str(u, "container")), 202);
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, t, id));
	(void)resolve(sup2_token, t, wagon, "release");
	expect_action(t, (int)pos, "RELEASE");
	json_decref(d);
	free(wagon);
	free(edi);
}

/* Whether the set-aside list of d holds tracking number tr. */
static bool
set_aside_has(const json_t *d, const char *tr, const char **action)
{
	const json_t	*e;
	size_t		 i;

	json_array_foreach(parcels_of(d, "set_aside"), i, e)
		if (strcmp(runs_str(e, "tracking"), tr) == 0) {
			if (action != NULL)
				*action = runs_str(e, "action");
			return true;
		}
	return false;
}

/* Whether every container of d's unload list is unloaded. */
static bool
all_unloaded(const json_t *d)
{
	const json_t	*u;
	size_t		 i;

	json_array_foreach(parcels_of(d, "unload"), i, u)
		if (!json_is_true(json_object_get(u, "unloaded")))
			return false;
	return json_array_size(parcels_of(d, "unload")) > 0;
}

/*
 * Held: a replacement manifest (function 5) declaring other goods -- here
 * the set-aside parcel renamed -- voids the unloadings (they were for the
 * goods declared then): approval waits until the containers are unloaded
 * again, the renamed parcel with them.
 */
static void
t_i22_replacement_voids_unloading(void)
{
	char		 t[32] = "", *edi, *body = NULL, from[64], to[64];
	char		 renamed[48];
	json_t		*d;
	long		 id;
	int		 s;

	edi = train_of(46, t, sizeof t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(edi);
	CU_ASSERT_TRUE_FATAL(unload_all(t));
	d = runs_latest_decision(&pg, t);
	CU_ASSERT_TRUE_FATAL(all_unloaded(d));
	snprintf(renamed, sizeof renamed, "%sX", runs_str(json_array_get(
	    parcels_of(d, "set_aside"), 0), "tracking"));
	snprintf(from, sizeof from, "PCI+18+%.*s'", (int)strlen(renamed) - 1,
	    renamed);
	snprintf(to, sizeof to, "PCI+18+%s'", renamed);
	json_decref(d);
	id = runs_decision_id(&pg, t);
	CU_ASSERT_EQUAL_FATAL(post_variant(edi, from, to, true, NULL, 0), 202);
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, t, id));
	d = runs_latest_decision(&pg, t);
	CU_ASSERT_TRUE(set_aside_has(d, renamed, NULL));
	CU_ASSERT_FALSE(all_unloaded(d));
	json_decref(d);
	s = officers_approve(dm.port, officer_token, t, &body);
	CU_ASSERT_EQUAL(s, 409);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Parcels to unload"));
	free(body);
	CU_ASSERT_TRUE_FATAL(unload_all(t));
	s = officers_approve(dm.port, officer_token, t, &body);
	if (s != 200)
		fprintf(stderr, "\napprove -> %d %s\n", s, body);
	CU_ASSERT_EQUAL(s, 200);
	free(body);
	free(edi);
}

/*
 * Held: a tracking number with JSON's special characters (a quote, a
 * backslash) goes through the decision, the unloaded event's list and
 * the evaluation unchanged; the operator's view names the container to
 * unload, never a tracking number, a rule or a reason.
 */
static void
t_i22_tracking_escapes_operator_view(void)
{
	static const char crafted[] = "XX\"\\1";
	char		 t[32] = "", *edi, *body = NULL, from[64], to[64], *v;
	char		 path[128];
	json_t		*d;
	long		 id;
	int		 s;

	edi = train_of(44, t, sizeof t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(edi);
	d = runs_latest_decision(&pg, t);
	snprintf(from, sizeof from, "PCI+18+%s'", runs_str(json_array_get(
	    parcels_of(d, "set_aside"), 0), "tracking"));
	json_decref(d);
	snprintf(to, sizeof to, "PCI+18+%s'", crafted);
	id = runs_decision_id(&pg, t);
	CU_ASSERT_EQUAL_FATAL(post_variant(edi, from, to, true, NULL, 0), 202);
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, t, id));
	d = runs_latest_decision(&pg, t);
	CU_ASSERT_TRUE(set_aside_has(d, crafted, NULL));
	/* The operator: containers, counts; no tracking, rule or reason. */
	snprintf(path, sizeof path, "/v1/trains/%s", t);
	s = officers_call(dm.port, operator_token, "GET", path, NULL, &body);
	CU_ASSERT_EQUAL(s, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "\"unload\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, runs_str(json_array_get(parcels_of(d,
	    "unload"), 0), "container")));
	CU_ASSERT_PTR_NULL(strstr(body, "XX\\\""));
	CU_ASSERT_PTR_NULL(strstr(body, "ecommerce-value"));
	CU_ASSERT_PTR_NULL(strstr(body, "CNY"));
	CU_ASSERT_PTR_NULL(strstr(body, "tracking"));
	free(body);
	json_decref(d);
	CU_ASSERT_TRUE_FATAL(unload_all(t));
	v = officers_sql(&pg, "SELECT count(*) FROM events e JOIN trains t ON "
	    "t.id = e.train_id, json_array_elements_text(e.body->'parcels') p "
	    "WHERE t.train_no = '%s' AND e.type = 'unloaded' AND p = "
	    "'XX\"\\1'", t);
	CU_ASSERT_STRING_EQUAL(v, "1");
	free(v);
	d = runs_latest_decision(&pg, t);
	CU_ASSERT_TRUE(all_unloaded(d));
	json_decref(d);
	s = officers_approve(dm.port, officer_token, t, &body);
	CU_ASSERT_EQUAL(s, 200);
	free(body);
	free(edi);
}

/* The CT scan rule's parcels released in container c of t; status. */
static int
resolve_in(const char *t, const char *c)
{
	char	path[128], json[256];

	snprintf(path, sizeof path, "/v1/trains/%s/parcels/resolution", t);
	snprintf(json, sizeof json, "{\"rule\":\"parcel-ct-suspect\","
	    "\"container\":\"%s\",\"action\":\"release\",\"reason\":"
	    "\"opened, nothing found\"}", c);
	return officers_call(dm.port, officer_token, "POST", path, json, NULL);
}

/*
 * Held: a device naming another device is refused; a suspect CT scan
 * stays suspect after a clear one (the parcel stays set aside); a bulk
 * resolution's container is matched exactly (no pattern, no prefix).
 */
static void
t_i22_scans(void)
{
	char		 t[32] = "", *edi, *cont, *tr, json[256];
	const char	*action = "";
	json_t		*d;
	long		 id;

	edi = train_of(45, t, sizeof t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(edi);
	cont = officers_sql(&pg, "SELECT w.container_numbers[1] FROM wagons w "
	    "JOIN trains t ON t.id = w.train_id WHERE t.train_no = '%s' AND "
	    "w.position = 1", t);
	d = runs_latest_decision(&pg, t);
	tr = parcel_in(edi, cont, d);
	json_decref(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
	snprintf(json, sizeof json, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"%s\",\"result\":\"suspect\",\"device\":\"ct-2\"}", tr);
	CU_ASSERT_EQUAL(post_event(t, device_token, json, NULL), 422);
	id = runs_decision_id(&pg, t);
	snprintf(json, sizeof json, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"%s\",\"result\":\"suspect\"}", tr);
	CU_ASSERT_EQUAL(post_event(t, device_token, json, NULL), 202);
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, t, id));
	id = runs_decision_id(&pg, t);
	snprintf(json, sizeof json, "{\"type\":\"parcel_scan\",\"tracking\":"
	    "\"%s\",\"result\":\"clear\"}", tr);
	CU_ASSERT_EQUAL(post_event(t, officer_token, json, NULL), 202);
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, t, id));
	d = runs_latest_decision(&pg, t);
	CU_ASSERT_TRUE(set_aside_has(d, tr, &action));
	CU_ASSERT_STRING_EQUAL(action, "INSPECT");
	json_decref(d);
	/* A container filter is a container of the run, exactly. */
	CU_ASSERT_EQUAL(resolve_in(t, "%"), 422);
	snprintf(json, sizeof json, "%.4s%%", cont);
	CU_ASSERT_EQUAL(resolve_in(t, json), 422);
	snprintf(json, sizeof json, "%.*s", (int)strlen(cont) - 1, cont);
	CU_ASSERT_EQUAL(resolve_in(t, json), 422);
	id = runs_decision_id(&pg, t);
	CU_ASSERT_EQUAL(resolve_in(t, cont), 200);
	CU_ASSERT_TRUE_FATAL(runs_decided_after(&pg, t, id));
	CU_ASSERT_EQUAL(resolve_in(t, cont), 409);
	d = runs_latest_decision(&pg, t);
	CU_ASSERT_FALSE(set_aside_has(d, tr, NULL));
	json_decref(d);
	free(cont);
	free(tr);
	free(edi);
}

/*
 * Held: every decision of the suite's trains (parcels set aside,
 * unloaded, renamed by a replacement, approved, amended) made again
 * identical; a stored document whose "parcels" was edited, or dropped,
 * is found different.
 */
static void
t_i22_replay(void)
{
	char	args[1024], *out;
	int	st = -1;

	snprintf(args, sizeof args, "replay --dsn '%s' --all", pg.dsn);
	out = harness_railgate(args, false, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "all identical"));
	if (st != 0)
		fprintf(stderr, "%s", out);
	free(out);
	/* A parcel's action lowered in the latest decision with parcels. */
	free(harness_sql(&pg, "UPDATE decisions SET document = replace("
	    "document::text, '\"action\":\"DOC_CHECK\",\"rule\":"
	    "\"ecommerce-value\"', '\"action\":\"AUDIT\",\"rule\":"
	    "\"ecommerce-value\"')::json WHERE id = (SELECT max(id) FROM "
	    "decisions WHERE NOT final AND document::text LIKE "
	    "'%\"action\":\"DOC_CHECK\",\"rule\":\"ecommerce-value\"%') "
	    "RETURNING id"));
	/* The parcels dropped from another: decided without setting aside. */
	free(harness_sql(&pg, "UPDATE decisions SET document = (document::jsonb "
	    "- 'parcels')::json WHERE id = (SELECT min(id) FROM decisions "
	    "WHERE NOT final AND document::text LIKE '%\"set_aside\":[{%') "
	    "RETURNING id"));
	out = harness_railgate(args, false, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_NOT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ", 2 different"));
	if (strstr(out, ", 2 different") == NULL)
		fprintf(stderr, "%s", out);
	free(out);
}

static CU_TestInfo attack_i22_tests[] = {
	{ "t_i22_replacement_voids_unloading",
	    t_i22_replacement_voids_unloading },
	{ "t_i22_tracking_escapes_operator_view",
	    t_i22_tracking_escapes_operator_view },
	{ "t_i22_scans", t_i22_scans },
	{ "t_i22_held_wagon_unloaded_after_final",
	    t_i22_held_wagon_unloaded_after_final },
	{ "t_i22_held_wagon_scan_after_final",
	    t_i22_held_wagon_scan_after_final },
	{ "t_i22_inspected_wagon_scan_after_final",
	    t_i22_inspected_wagon_scan_after_final },
	{ "t_i22_amended_then_released", t_i22_amended_then_released },
	/* Last: it edits stored decisions. */
	{ "t_i22_replay", t_i22_replay },
	CU_TEST_INFO_NULL
};

TEST_SUITE("integration_attack_i22", attack_init, attack_clean,
    attack_i22_tests)
