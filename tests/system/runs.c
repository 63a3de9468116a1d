/*
 * runs.c -- a train run for the parcel suites (runs.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"
#include "rules/eval.h"
#include "rules/rules.h"

#include "harness.h"
#include "officers.h"
#include "runs.h"
#include "unit.h"

char *
runs_generate(const char *dir, const char *args, const char *name,
    size_t *len)
{
	char	cmd[1024], path[512], *data;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(cmd, sizeof cmd, "%s/railgate gen %s --format edifact -o %s",
	    test_build_dir(), args, path);
	if (system(cmd) != 0 || file_read_all(path, &data, len) == -1)
		return NULL;
	return data;
}

int
runs_post_manifest(int port, const char *token, const char *body, size_t len,
    char *id, size_t idsize)
{
	struct harness_response	 r;
	char			 hdr[256], loc[128];
	int			 status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Content-Type: application/EDIFACT\r\n", token);
	if (harness_http(port, "POST", "/v1/manifests", hdr, body, len, &r) < 0)
		return -1;
	status = r.status;
	if (id != NULL && harness_header(&r, "Location", loc, sizeof loc) !=
	    NULL && strncmp(loc, "/v1/trains/", 11) == 0)
		snprintf(id, idsize, "%.*s", (int)strcspn(loc + 11, "@/"),
		    loc + 11);
	if (status != 202)
		fprintf(stderr, "\nmanifest -> %d %.*s\n", status,
		    (int)r.body_len, r.body);
	harness_response_free(&r);
	return status;
}

long
runs_decision_id(const struct harness_pg *pg, const char *train)
{
	char	*v = officers_sql(pg, "SELECT coalesce(max(d.id), 0) FROM "
		    "decisions d JOIN trains t ON t.id = d.train_id WHERE "
		    "t.train_no = '%s'", train);
	long	 id = atol(v);

	free(v);
	return id;
}

bool
runs_decided_after(const struct harness_pg *pg, const char *train,
    long before)
{
	char	q[512];

	snprintf(q, sizeof q, "SELECT count(*) FROM trains t WHERE "
	    "t.train_no = '%s' AND NOT t.eval_needed AND (SELECT max(d.id) "
	    "FROM decisions d WHERE d.train_id = t.id) > %ld", train, before);
	return harness_wait_sql(pg, q, "1", 30000);
}

json_t *
runs_latest_decision(const struct harness_pg *pg, const char *train)
{
	char	*v = officers_sql(pg, "SELECT d.document FROM decisions d JOIN "
		    "trains t ON t.id = d.train_id WHERE t.train_no = '%s' "
		    "ORDER BY d.id DESC LIMIT 1", train);
	json_t	*j = json_loads(v, 0, NULL);

	free(v);
	return j;
}

bool
runs_undrawn_train(const char *rules_dir, int from, const char *const *wagons,
    size_t n, char out[8])
{
	struct diag_list	 l;
	struct rules_ruleset	*rs;
	size_t			 i;
	bool			 drawn = true;

	diag_list_init(&l, 0);
	rs = rules_ruleset_load(rules_dir, &l);
	diag_list_clear(&l);
	if (rs == NULL)
		return false;
	for (; drawn && from < 10000; from++) {
		snprintf(out, 8, "X%04d", from % 10000);
		for (i = 0, drawn = false; i < n; i++)
			drawn |= rules_eval_draw(rs, out, wagons[i], "random") <
			    0.05;
	}
	rules_ruleset_unref(rs);
	return !drawn;
}

const char *
runs_str(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

long
runs_num(const json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}
