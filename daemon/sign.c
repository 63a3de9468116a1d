/*
 * sign.c -- Ed25519 and HMAC-SHA256 through OpenSSL's EVP interfaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "manifest/util.h"

#include "daemon/sign.h"

struct sign_key {
	EVP_PKEY	*pkey;
};

char *
sign_base64(const void *data, size_t len)
{
	char	*out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

unsigned char *
sign_unbase64(const char *b64, size_t *len)
{
	size_t		 n = strlen(b64), pad = 0;
	unsigned char	*out;
	int		 rc;

	if (n == 0 || n % 4 != 0)
		return NULL;
	out = xmalloc(n / 4 * 3 + 1);
	rc = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	if (rc < 0) {
		free(out);
		return NULL;
	}
	pad = (b64[n - 1] == '=') + (b64[n - 2] == '=');
	*len = (size_t)rc - pad;
	return out;
}

int
sign_check_private_mode(const char *path, char **cause)
{
	struct stat	st;

	if (stat(path, &st) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*cause = xasprintf("%s: key file is readable by group or others "
		    "(mode %04o); chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Generates a key and writes it with mode 0600. */
static int
create_key(const char *path, char **cause)
{
	EVP_PKEY	*pkey = NULL;
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	FILE		*f;
	int		 fd, rc = -1;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_keygen(ctx, &pkey) <= 0) {
		*cause = xstrdup("cannot generate an Ed25519 key");
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	rc = PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) == 1 ? 0 : -1;
	if (fclose(f) != 0 || rc < 0) {
		*cause = xasprintf("%s: cannot write the key", path);
		rc = -1;
	}
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* A key holding pkey if it is Ed25519; else NULL, and pkey is freed. */
static struct sign_key *
sign_key_wrap(EVP_PKEY *pkey)
{
	struct sign_key	*k;

	if (pkey == NULL || EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k = xcalloc(1, sizeof *k);
	k->pkey = pkey;
	return k;
}

struct sign_key *
sign_key_load(const char *path, int create, char **cause)
{
	struct sign_key	*k;
	EVP_PKEY	*pkey;
	FILE		*f;

	if (create && access(path, F_OK) != 0 && create_key(path, cause) < 0)
		return NULL;
	if (sign_check_private_mode(path, cause) < 0)
		return NULL;
	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if ((k = sign_key_wrap(pkey)) == NULL)
		*cause = xasprintf("%s: not an Ed25519 private key in PEM", path);
	return k;
}

struct sign_key *
sign_key_from_pem(const char *pem, char **cause)
{
	struct sign_key	*k;
	EVP_PKEY	*pkey;
	BIO		*b = BIO_new_mem_buf(pem, -1);

	pkey = b != NULL ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if ((k = sign_key_wrap(pkey)) == NULL)
		*cause = xstrdup("not an Ed25519 public key in PEM");
	return k;
}

struct sign_key *
sign_key_load_public(const char *path, char **cause)
{
	struct sign_key	*k;
	char		*pem;
	size_t		 len;

	if (file_read_all(path, &pem, &len) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	k = sign_key_from_pem(pem, cause);
	free(pem);
	if (k == NULL) {
		char *why = *cause;

		*cause = xasprintf("%s: %s", path, why);
		free(why);
	}
	return k;
}

void
sign_key_free(struct sign_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

char *
sign_key_public_pem(const struct sign_key *k)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*data, *out;
	long	 n;

	if (b == NULL || PEM_write_bio_PUBKEY(b, k->pkey) != 1) {
		BIO_free(b);
		return xstrdup("");
	}
	n = BIO_get_mem_data(b, &data);
	out = xstrndup(data, (size_t)n);
	BIO_free(b);
	return out;
}

void
sign_key_id(const struct sign_key *k, char out[17])
{
	unsigned char	raw[32], md[EVP_MAX_MD_SIZE];
	size_t		n = sizeof raw;
	unsigned int	mdlen = 0;
	char		hex[2 * EVP_MAX_MD_SIZE + 1];

	if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1)
		n = 0;
	EVP_Digest(raw, n, md, &mdlen, EVP_sha256(), NULL);
	hex_encode(md, mdlen, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

char *
sign_ed25519(const struct sign_key *k, const void *data, size_t len)
{
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	unsigned char	 sig[64];
	size_t		 siglen = sizeof sig;
	char		*out = NULL;

	if (ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, data, len) == 1)
		out = sign_base64(sig, siglen);
	EVP_MD_CTX_free(ctx);
	return out;
}

int
sign_ed25519_verify(const struct sign_key *k, const void *data, size_t len,
    const char *sig_b64)
{
	EVP_MD_CTX	*ctx;
	unsigned char	*sig;
	size_t		 siglen;
	int		 ok = 0;

	if ((sig = sign_unbase64(sig_b64, &siglen)) == NULL)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL,
	    k->pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	free(sig);
	return ok ? 0 : -1;
}

/* The HMAC key of a secret: "whsec_" + base64, else the bytes themselves. */
static unsigned char *
webhook_key(const char *secret, size_t *len)
{
	unsigned char	*k;

	if (strncmp(secret, "whsec_", 6) == 0 &&
	    (k = sign_unbase64(secret + 6, len)) != NULL)
		return k;
	*len = strlen(secret);
	return (unsigned char *)xstrdup(secret);
}

char *
sign_webhook(const char *secret, const char *id, int64_t timestamp,
    const void *body, size_t len)
{
	unsigned char	*key, mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	size_t		 keylen;
	struct buf	 msg = { 0 };
	char		*b64, *out;

	key = webhook_key(secret, &keylen);
	buf_printf(&msg, "%s.%lld.", id, (long long)timestamp);
	buf_add(&msg, body, len);
	HMAC(EVP_sha256(), key, (int)keylen, (unsigned char *)msg.data, msg.len,
	    mac, &maclen);
	free(key);
	buf_free(&msg);
	b64 = sign_base64(mac, maclen);
	out = xasprintf("v1,%s", b64);
	free(b64);
	return out;
}

int
sign_webhook_verify(const char *secret, const char *id, int64_t timestamp,
    const void *body, size_t len, const char *header, int64_t now,
    int64_t tolerance_s)
{
	char		*want, *copy, *tok, *save = NULL;
	int		 rc = -1;

	if (timestamp < now - tolerance_s || timestamp > now + tolerance_s)
		return -2;
	want = sign_webhook(secret, id, timestamp, body, len);
	copy = xstrdup(header);
	for (tok = strtok_r(copy, " ", &save); tok != NULL && rc != 0;
	    tok = strtok_r(NULL, " ", &save)) {
		if (strlen(tok) == strlen(want) &&
		    CRYPTO_memcmp(tok, want, strlen(want)) == 0)
			rc = 0;
	}
	free(copy);
	free(want);
	return rc;
}
