/*
 * peer_msg.c -- per-message overhead of the neighbouring customs link
 * (issue 8 target): pre_arrival envelopes carrying each given XML
 * manifest are sealed (gzip + Ed25519 signature) and opened (verify +
 * inflate + JSON parse and field checks), best of several runs, printed
 * in ms per message and ms per MB of manifest.  Building the envelope
 * (the manifest escaped into JSON) is printed apart, and zlib's default
 * level beside the level sealing uses.  Figures, not pass/fail.
 *
 * usage: bench/peer_msg MANIFEST.xml...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "daemon/peer/peer_msg.h"
#include "daemon/sign.h"
#include "manifest/util.h"

#define SENDER		"KZ-DOSTYK-CUSTOMS"
#define SEALS		"[{\"equipment\":\"CSQU3054383\",\"number\":\"KZ1234567\"," \
			"\"sealed_by\":\"customs\"}]"
#define CONTROLS	"[{\"equipment\":\"CSQU3054383\",\"result\":\"inspected_clear\"}]"

/* Milliseconds on the monotonic clock. */
static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Runs for a manifest of len bytes: more for small ones, at least 3. */
static int
runs_for(size_t len)
{
	size_t	n = len > 4000000 ? 200000000 / len : 50;

	return n < 3 ? 3 : (int)n;
}

/* Best time of gzip at level, and the compressed size; for comparison. */
static double
bench_level(const char *data, size_t len, int level, int runs, size_t *out)
{
	unsigned char	*z;
	uLongf		 zlen;
	z_stream	 zs;
	double		 best = 1e12, t0;
	int		 i;

	for (i = 0; i < runs; i++) {
		memset(&zs, 0, sizeof zs);
		t0 = now_ms();
		deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
		    Z_DEFAULT_STRATEGY);
		zlen = deflateBound(&zs, len);
		z = xmalloc(zlen);
		zs.next_in = (Bytef *)data;
		zs.avail_in = (uInt)len;
		zs.next_out = z;
		zs.avail_out = (uInt)zlen;
		deflate(&zs, Z_FINISH);
		*out = zs.total_out;
		deflateEnd(&zs);
		t0 = now_ms() - t0;
		free(z);
		if (t0 < best)
			best = t0;
	}
	return best;
}

/* Seals and opens one envelope runs times; prints the figures. */
static int
bench_one(const struct sign_key *k, const struct sign_key *pub,
    const char *path, const char *xml, size_t len)
{
	struct peer_sealed	 m;
	struct peer_opened	 o;
	struct peer_wire	 w = { 0 };
	char			 id[37], ts[24], *env = NULL, *cause = NULL;
	double			 build = 1e12, seal = 1e12, open = 1e12, t0, mb;
	size_t			 zlen6;
	int64_t			 t = (int64_t)time(NULL);
	int			 i, runs = runs_for(len), status;

	for (i = 0; i < runs; i++) {
		free(env);
		t0 = now_ms();
		env = peer_msg_pre_arrival(SENDER, "X8024", "RELEASE", xml, len,
		    SEALS, CONTROLS);
		if ((t0 = now_ms() - t0) < build)
			build = t0;
	}
	if (env == NULL) {
		fprintf(stderr, "%s: not UTF-8 text\n", path);
		return -1;
	}
	peer_msg_new_id(id);
	memset(&m, 0, sizeof m);
	for (i = 0; i < runs; i++) {
		peer_sealed_clear(&m);
		t0 = now_ms();
		if (peer_msg_seal(k, SENDER, PEER_PRE_ARRIVAL, id, t, env,
		    strlen(env), &m) == -1) {
			fprintf(stderr, "%s: seal failed\n", path);
			return -1;
		}
		if ((t0 = now_ms() - t0) < seal)
			seal = t0;
	}
	snprintf(ts, sizeof ts, "%lld", (long long)m.timestamp);
	w.id = m.id;
	w.type = m.type;
	w.timestamp = ts;
	w.sender = m.sender;
	w.signature = m.signature;
	w.content_encoding = "gzip";
	w.body = m.body;
	w.len = m.len;
	for (i = 0; i < runs; i++) {
		t0 = now_ms();
		if (peer_msg_open(pub, SENDER, &w, t, 300, (size_t)1 << 30, &o,
		    &status, &cause) == -1) {
			fprintf(stderr, "%s: open: %d %s\n", path, status, cause);
			return -1;
		}
		if ((t0 = now_ms() - t0) < open)
			open = t0;
		if (o.manifest_len != len)
			fprintf(stderr, "%s: manifest changed in transit\n", path);
		peer_opened_clear(&o);
	}
	mb = len / 1e6;
	printf("peer_msg: %s: manifest %.1f MB, envelope %.1f MB, gzip %.2f MB "
	    "(%.1fx), best of %d\n", path, mb, strlen(env) / 1e6, m.len / 1e6,
	    (double)strlen(env) / m.len, runs);
	printf("  seal  %8.1f ms  %6.2f ms/MB   (libdeflate gzip level 1 + SHA-256 + Ed25519)\n",
	    seal, seal / mb);
	printf("  open  %8.1f ms  %6.2f ms/MB   (verify + inflate + JSON + fields)\n",
	    open, open / mb);
	printf("  total %8.1f ms  %6.2f ms/MB\n", seal + open, (seal + open) / mb);
	printf("  build %8.1f ms  %6.2f ms/MB   (manifest into the JSON envelope, "
	    "apart)\n", build, build / mb);
	t0 = bench_level(env, strlen(env), 6, runs < 5 ? runs : 5, &zlen6);
	printf("  for comparison, zlib level 6: %.1f ms, %.2f MB\n", t0,
	    zlen6 / 1e6);
	peer_sealed_clear(&m);
	free(env);
	return 0;
}

int
main(int argc, char **argv)
{
	char		 dir[] = "/tmp/railgate-bench-peer.XXXXXX", path[64];
	char		*cause = NULL, *pem, *xml;
	struct sign_key	*k, *pub;
	size_t		 len;
	int		 i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench/peer_msg MANIFEST.xml...\n");
		return 64;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/station.key", dir);
	if ((k = sign_key_load(path, 1, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	pem = sign_key_public_pem(k);
	pub = sign_key_from_pem(pem, &cause);
	for (i = 1; pub != NULL && i < argc; i++) {
		if (file_read_all(argv[i], &xml, &len) == -1) {
			perror(argv[i]);
			rc = 1;
			continue;
		}
		if (bench_one(k, pub, argv[i], xml, len) == -1)
			rc = 1;
		free(xml);
	}
	free(pem);
	sign_key_free(pub);
	sign_key_free(k);
	unlink(path);
	rmdir(dir);
	return rc;
}
