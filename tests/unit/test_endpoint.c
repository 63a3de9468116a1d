/*
 * test_endpoint.c -- where a release notice may go (daemon/notice/endpoint.c):
 * each address class at its edges, IPv4 inside IPv6, and the URL checks.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/notice/endpoint.h"
#include "manifest/util.h"

#include "unit.h"

/* The class of a textual address (NULL: public). */
static const char *
class_of(const char *text)
{
	struct sockaddr_in	in;
	struct sockaddr_in6	in6;

	memset(&in, 0, sizeof in);
	memset(&in6, 0, sizeof in6);
	if (inet_pton(AF_INET, text, &in.sin_addr) == 1) {
		in.sin_family = AF_INET;
		return endpoint_address_class((struct sockaddr *)&in);
	}
	if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1) {
		in6.sin6_family = AF_INET6;
		return endpoint_address_class((struct sockaddr *)&in6);
	}
	return "unparsed";
}

static void
t_endpoint_address_classes(void)
{
	static const struct {
		const char	*address;
		const char	*kind;		/* NULL: public */
	} cases[] = {
		{ "127.0.0.1", "loopback" }, { "127.255.255.254", "loopback" },
		{ "126.255.255.255", NULL }, { "128.0.0.1", NULL },
		{ "169.254.169.254", "link-local" }, { "169.253.0.1", NULL },
		{ "10.0.0.1", "private" }, { "11.0.0.1", NULL },
		{ "172.16.0.1", "private" }, { "172.31.255.255", "private" },
		{ "172.15.255.255", NULL }, { "172.32.0.0", NULL },
		{ "192.168.0.1", "private" }, { "192.169.0.1", NULL },
		{ "100.64.0.1", "shared (carrier-grade NAT)" },
		{ "100.127.255.255", "shared (carrier-grade NAT)" },
		{ "100.63.255.255", NULL }, { "100.128.0.0", NULL },
		{ "0.0.0.0", "unspecified (this network)" },
		{ "224.0.0.1", "multicast" }, { "239.255.255.255", "multicast" },
		{ "255.255.255.255", "reserved or broadcast" },
		{ "8.8.8.8", NULL }, { "1.1.1.1", NULL },
		{ "::1", "loopback" }, { "::", "unspecified" },
		{ "::ffff:127.0.0.1", "loopback" }, { "::ffff:10.1.2.3", "private" },
		{ "::ffff:8.8.8.8", NULL },
		{ "::127.0.0.1", "IPv4-compatible (deprecated)" },
		{ "64:ff9b::a9fe:a9fe", "link-local" }, { "64:ff9b::808:808", NULL },
		{ "2002:7f00:1::1", "loopback" }, { "2002:808:808::1", NULL },
		{ "fe80::1", "link-local" }, { "febf::1", "link-local" },
		{ "fec0::1", "site-local (deprecated)" },
		{ "fc00::1", "unique local (private)" },
		{ "fdff::1", "unique local (private)" },
		{ "ff02::1", "multicast" }, { "2001:db8::1", "documentation" },
		{ "2001:0:4136:e378::1", "Teredo" },
		{ "2001:4860:4860::8888", NULL }, { "2a00:1450::1", NULL },
		/* Outside global unicast, and IETF assignments (issue 15,
		 * found again). */
		{ "::ffff:0:7f00:1", "reserved (outside global unicast, "
		    "2000::/3)" },
		{ "5f00::1", "reserved (outside global unicast, 2000::/3)" },
		{ "4000::1", "reserved (outside global unicast, 2000::/3)" },
		{ "2001:10::1", "IETF protocol assignment" },
		{ "2001:1ff::1", "IETF protocol assignment" },
		{ "2001:200::1", NULL }, { "3fff:ffff::1", NULL },
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		const char *got = class_of(cases[i].address);

		if ((got == NULL) != (cases[i].kind == NULL) || (got != NULL &&
		    strcmp(got, cases[i].kind) != 0)) {
			fprintf(stderr, "\n%s: %s, not %s\n", cases[i].address,
			    got != NULL ? got : "public", cases[i].kind != NULL ?
			    cases[i].kind : "public");
			CU_FAIL("address class");
		}
	}
}

static void
t_endpoint_url(void)
{
	static const char *const refused[] = {
		"ftp://h/", "HTTP://h/", "http://u:p@h/", "http://h/a b",
		"http://h/a\tb", "http://h/\x7f", "http://h/\xc3\xa9",
		"http://h\\@i/", "http:///", "http://h:0/", "http://h/#f",
		"http://h:99999/", NULL,
	};
	struct endpoint_url	u;
	char			why[256];
	size_t			i;

	for (i = 0; i < nitems(refused); i++) {
		CU_ASSERT_EQUAL(endpoint_url_parse(refused[i], &u, why,
		    sizeof why), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(why, "\"url\""));
		endpoint_url_clear(&u);
	}
	CU_ASSERT_EQUAL_FATAL(endpoint_url_parse("https://[::1]:8443/a?b=c",
	    &u, why, sizeof why), 0);
	CU_ASSERT(u.https);
	CU_ASSERT_STRING_EQUAL(u.host, "::1");
	CU_ASSERT_STRING_EQUAL(u.authority, "[::1]:8443");
	CU_ASSERT_EQUAL(u.port, 8443);
	CU_ASSERT_STRING_EQUAL(u.target, "/a?b=c");
	endpoint_url_clear(&u);
	CU_ASSERT_EQUAL_FATAL(endpoint_url_parse("http://edi.example", &u, why,
	    sizeof why), 0);
	CU_ASSERT_EQUAL(u.port, 80);
	CU_ASSERT_STRING_EQUAL(u.authority, "edi.example");
	CU_ASSERT_STRING_EQUAL(u.target, "/");
	endpoint_url_clear(&u);
	/* Literals in any spelling inet_aton takes; names wait for DNS. */
	CU_ASSERT_EQUAL(endpoint_literal_check("2130706433", false, why,
	    sizeof why), -1);
	CU_ASSERT_EQUAL(endpoint_literal_check("0x7f.1", false, why,
	    sizeof why), -1);
	CU_ASSERT_EQUAL(endpoint_literal_check("127.0.0.1", true, why,
	    sizeof why), 0);
	CU_ASSERT_EQUAL(endpoint_literal_check("8.8.8.8", false, why,
	    sizeof why), 0);
	CU_ASSERT_EQUAL(endpoint_literal_check("edi.example", false, why,
	    sizeof why), 0);
}

static CU_TestInfo endpoint_tests[] = {
	{ "t_endpoint_address_classes", t_endpoint_address_classes },
	{ "t_endpoint_url", t_endpoint_url },
	CU_TEST_INFO_NULL
};

TEST_SUITE("endpoint", NULL, NULL, endpoint_tests)
