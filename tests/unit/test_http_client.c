/*
 * test_http_client.c -- the URL a command line client takes
 * (cli/http_client.c): http:// and https://, the host of a name, an IPv4
 * or a bracketed IPv6 address, the default ports 80 and 443, the Host
 * header's form; refused: other schemes, credentials in the URL (and
 * not echoed back), a path, no host, port 0.  And an unusable --cacert
 * is refused before any connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/http_client.h"

#include "unit.h"

/* Parses url, expecting success; the result in *u. */
static void
parse_ok(const char *url, struct http_url *u)
{
	char	*cause = NULL;

	CU_ASSERT_EQUAL(http_url_parse(url, u, &cause), 0);
	if (cause != NULL)
		fprintf(stderr, "\n  %s: %s\n", url, cause);
	free(cause);
}

/* Parses url, expecting a refusal whose reason holds want. */
static void
parse_refused(const char *url, const char *want)
{
	struct http_url	 u;
	char		*cause = NULL;

	CU_ASSERT_EQUAL(http_url_parse(url, &u, &cause), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	if (strstr(cause, want) == NULL)
		fprintf(stderr, "\n  %s: \"%s\" lacks \"%s\"\n", url, cause,
		    want);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, want));
	free(cause);
}

static void
t_http_client_schemes_and_ports(void)
{
	struct http_url	u;

	parse_ok("http://127.0.0.1:8080", &u);
	CU_ASSERT_FALSE(u.https);
	CU_ASSERT_STRING_EQUAL(u.host, "127.0.0.1");
	CU_ASSERT_EQUAL(u.port, 8080);
	CU_ASSERT_TRUE(u.ip_literal);
	CU_ASSERT_STRING_EQUAL(u.authority, "127.0.0.1:8080");

	parse_ok("https://railgate.station.example", &u);
	CU_ASSERT_TRUE(u.https);
	CU_ASSERT_STRING_EQUAL(u.host, "railgate.station.example");
	CU_ASSERT_EQUAL(u.port, 443);
	CU_ASSERT_FALSE(u.ip_literal);
	CU_ASSERT_STRING_EQUAL(u.authority, "railgate.station.example:443");

	parse_ok("http://localhost/", &u);
	CU_ASSERT_FALSE(u.https);
	CU_ASSERT_EQUAL(u.port, 80);
	CU_ASSERT_FALSE(u.ip_literal);

	parse_ok("HTTPS://Railgate.example:8443", &u);
	CU_ASSERT_TRUE(u.https);
	CU_ASSERT_EQUAL(u.port, 8443);
}

static void
t_http_client_ipv6(void)
{
	struct http_url	u;

	parse_ok("https://[::1]:8443", &u);
	CU_ASSERT_TRUE(u.https);
	CU_ASSERT_STRING_EQUAL(u.host, "::1");
	CU_ASSERT_EQUAL(u.port, 8443);
	CU_ASSERT_TRUE(u.ip_literal);
	CU_ASSERT_STRING_EQUAL(u.authority, "[::1]:8443");

	parse_ok("http://[2001:db8::7]", &u);
	CU_ASSERT_STRING_EQUAL(u.host, "2001:db8::7");
	CU_ASSERT_EQUAL(u.port, 80);
	CU_ASSERT_STRING_EQUAL(u.authority, "[2001:db8::7]:80");

	parse_refused("http://[nonsense]:80", "http://[nonsense]:80");
}

static void
t_http_client_refusals(void)
{
	struct http_url	 u;
	char		*cause = NULL;

	parse_refused("ftp://127.0.0.1:21", "not an http:// or https:// URL");
	parse_refused("ws://127.0.0.1:8080", "not an http:// or https:// URL");
	parse_refused("127.0.0.1:8080", "not an http:// or https:// URL");
	parse_refused("file:///etc/passwd", "not an http:// or https:// URL");
	parse_refused("https://", "");
	parse_refused("http://127.0.0.1:0", "not a port");
	parse_refused("http://127.0.0.1:8080/v1/manifests", "without a path");
	parse_refused("http://127.0.0.1:8080/?x=1", "without a path");
	parse_refused("not a url at all", "");

	/* Credentials: refused, and the password is not repeated. */
	CU_ASSERT_EQUAL(http_url_parse("https://op:s3cret@127.0.0.1:8443", &u,
	    &cause), -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "credentials"));
	CU_ASSERT_PTR_NULL(strstr(cause, "s3cret"));
	free(cause);
	parse_refused("http://op@127.0.0.1:8080", "credentials");
}

/* A --cacert that is missing or not PEM: no client, saying which file. */
static void
t_http_client_cacert_refused(void)
{
	struct http_client	*c;
	char			*cause = NULL;

	c = http_client_new("https://127.0.0.1:8443", "/nonexistent/ca.pem", 5,
	    &cause);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "/nonexistent/ca.pem"));
	free(cause);
	cause = NULL;
	c = http_client_new("https://127.0.0.1:8443", "Makefile", 5, &cause);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
	CU_ASSERT_PTR_NOT_NULL(strstr(cause, "not a PEM file"));
	free(cause);
	cause = NULL;
	/* http:// has no certificate to verify: the file is not read. */
	c = http_client_new("http://127.0.0.1:8080", "/nonexistent/ca.pem", 5,
	    &cause);
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_STRING_EQUAL(c != NULL ? http_client_url(c) : "",
	    "http://127.0.0.1:8080");
	http_client_free(c);
	free(cause);
}

static CU_TestInfo http_client_tests[] = {
	{ "t_http_client_schemes_and_ports", t_http_client_schemes_and_ports },
	{ "t_http_client_ipv6", t_http_client_ipv6 },
	{ "t_http_client_refusals", t_http_client_refusals },
	{ "t_http_client_cacert_refused", t_http_client_cacert_refused },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("cli_http_client", NULL, NULL, http_client_tests)
