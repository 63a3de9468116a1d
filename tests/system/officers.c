/*
 * officers.c -- officers' requests and the tests' SQL reads (officers.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/util.h"

#include "harness.h"
#include "officers.h"

int
officers_call(int port, const char *token, const char *method,
    const char *path, const char *json, char **body)
{
	struct harness_response	r;
	char			hdr[256];
	int			status;

	snprintf(hdr, sizeof hdr, "%s%s%s%s", token != NULL ?
	    "Authorization: Bearer " : "", token != NULL ? token : "",
	    token != NULL ? "\r\n" : "", json != NULL ?
	    "Content-Type: application/json\r\n" : "");
	if (harness_http(port, method, path, hdr, json,
	    json != NULL ? strlen(json) : 0, &r) < 0) {
		if (body != NULL)
			*body = NULL;
		return -1;
	}
	status = r.status;
	if (body != NULL)
		*body = xstrdup(r.body != NULL ? r.body : "");
	harness_response_free(&r);
	return status;
}

int
officers_resolve(int port, const char *token, const char *train,
    const char *wagon, const char *action, char **body)
{
	char	path[160], json[256];

	snprintf(path, sizeof path, "/v1/trains/%s/wagons/%s/resolution",
	    train, wagon);
	snprintf(json, sizeof json, "{\"action\":\"%s\",\"reason\":\"%s "
	    "after a look at the wagon\"}", action, action);
	return officers_call(port, token, "POST", path, json, body);
}

int
officers_override(int port, const char *token, const char *train,
    const char *wagon, const char *verb, char **body)
{
	char	path[160];

	snprintf(path, sizeof path, "/v1/trains/%s/wagons/%s/override/%s",
	    train, wagon, verb);
	return officers_call(port, token, "POST", path, "{\"reason\":\"checked "
	    "the consignment's papers myself\"}", body);
}

int
officers_goods_agreed(int port, const char *proposer, const char *confirmer,
    const char *train, const char *json, char **body)
{
	char	 path[160], *first = NULL;
	json_t	*r;
	int	 status;

	snprintf(path, sizeof path, "/v1/trains/%s/goods/resolution", train);
	status = officers_call(port, proposer, "POST", path, json, &first);
	if (status != 202) {
		if (body != NULL)
			*body = first;
		else
			free(first);
		return status;
	}
	r = first != NULL ? json_loads(first, 0, NULL) : NULL;
	snprintf(path, sizeof path, "/v1/trains/%s/proposals/%lld/confirm",
	    train, (long long)json_integer_value(json_object_get(r,
	    "proposal")));
	json_decref(r);
	free(first);
	return officers_call(port, confirmer, "POST", path,
	    "{\"reason\":\"saw the goods and the papers myself\"}", body);
}

int
officers_approve(int port, const char *token, const char *train,
    char **body)
{
	char	path[128];

	snprintf(path, sizeof path, "/v1/trains/%s/approve", train);
	return officers_call(port, token, "POST", path,
	    "{\"reason\":\"reviewed\"}", body);
}

bool
officers_decided(const struct harness_pg *pg, const char *train)
{
	char	q[256];

	snprintf(q, sizeof q, "SELECT count(*) FROM (SELECT * FROM trains "
	    "WHERE train_no = '%s' ORDER BY run DESC LIMIT 1) t WHERE "
	    "decision IS NOT NULL AND NOT eval_needed", train);
	return harness_wait_sql(pg, q, "1", 15000);
}

char *
officers_sql(const struct harness_pg *pg, const char *fmt, ...)
{
	char	 q[2048], *v;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	v = harness_sql(pg, q);
	return v != NULL ? v : xstrdup("");
}
