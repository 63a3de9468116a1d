/*
 * secretbox.c -- webhook secrets sealed at rest with AES-256-GCM through
 * OpenSSL's EVP interface (secretbox.h).  The database holds only what
 * secret_seal() wrote; the daemon opens a secret when it delivers a
 * notice and the command line when it rotates the key, never SQL.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "manifest/util.h"

#include "daemon/config.h"
#include "daemon/notice/secretbox.h"
#include "daemon/sign.h"

#define SECRET_KEY_LEN		32
#define SECRET_NONCE_LEN	12
#define SECRET_TAG_LEN		16
#define SECRET_PREFIX		"v1:"

struct secret_key {
	unsigned char	bytes[SECRET_KEY_LEN];
	char		id[17];
};

char *
secret_key_path(const struct config *cfg, bool *is_default)
{
	*is_default = cfg->notice_secret_key_file == NULL ||
	    cfg->notice_secret_key_file[0] == '\0';
	if (!*is_default)
		return xstrdup(cfg->notice_secret_key_file);
	return xasprintf("%s/notice-secrets.key", cfg->state_dir);
}

/* Writes 32 random bytes to a new file of mode 0600. */
static int
secret_key_create(const char *path, char **cause)
{
	unsigned char	b[SECRET_KEY_LEN];
	int		fd, rc = 0;

	if (RAND_bytes(b, sizeof b) != 1) {
		*cause = xstrdup("no random bytes for a notice secret key");
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (write(fd, b, sizeof b) != (ssize_t)sizeof b)
		rc = -1;
	if (close(fd) != 0 || rc < 0) {
		*cause = xasprintf("%s: cannot write the key", path);
		rc = -1;
	}
	OPENSSL_cleanse(b, sizeof b);
	return rc;
}

/* Reads exactly 32 bytes from path into k; 0 or -1 with *cause. */
static int
secret_key_read(const char *path, struct secret_key *k, char **cause)
{
	unsigned char	extra;
	ssize_t		n;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, k->bytes, sizeof k->bytes);
	if (n != (ssize_t)sizeof k->bytes || read(fd, &extra, 1) != 0) {
		close(fd);
		*cause = xasprintf("%s: a notice secret key is exactly %d bytes "
		    "(openssl rand -out FILE 32)", path, SECRET_KEY_LEN);
		return -1;
	}
	close(fd);
	return 0;
}

struct secret_key *
secret_key_load(const char *path, int create, char **cause)
{
	struct secret_key	*k;
	unsigned char		 md[32];
	unsigned int		 mdlen = 0, i;

	if (create && access(path, F_OK) != 0 &&
	    secret_key_create(path, cause) < 0)
		return NULL;
	if (sign_check_private_mode(path, cause) < 0)
		return NULL;
	k = xcalloc(1, sizeof *k);
	if (secret_key_read(path, k, cause) < 0) {
		secret_key_free(k);
		return NULL;
	}
	EVP_Digest(k->bytes, sizeof k->bytes, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 8; i++)
		snprintf(k->id + 2 * i, 3, "%02x", md[i]);
	return k;
}

void
secret_key_free(struct secret_key *k)
{
	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof *k);
	free(k);
}

const char *
secret_key_id(const struct secret_key *k)
{
	return k->id;
}

bool
secret_is_sealed(const char *s)
{
	return s != NULL && strncmp(s, SECRET_PREFIX, strlen(SECRET_PREFIX)) ==
	    0;
}

/*
 * One AES-256-GCM pass: encrypt (enc 1: out gets ciphertext, tag is
 * written) or decrypt (enc 0: tag is checked).  0, or -1 when OpenSSL
 * fails or the tag does not match.
 */
static int
gcm(int enc, const struct secret_key *k, const unsigned char *nonce,
    const char *aad, const unsigned char *in, int inlen, unsigned char *out,
    unsigned char *tag)
{
	EVP_CIPHER_CTX	*ctx = EVP_CIPHER_CTX_new();
	int		 n, rc = -1;

	if (ctx == NULL || EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL,
	    k->bytes, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) != 1 ||
	    (inlen > 0 && EVP_CipherUpdate(ctx, out, &n, in, inlen) != 1))
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
	    SECRET_TAG_LEN, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + inlen, &n) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
	    SECRET_TAG_LEN, tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

char *
secret_seal(const struct secret_key *k, const char *name, const char *plain,
    char **cause)
{
	size_t		 len = strlen(plain), total;
	unsigned char	*box;
	char		*b64, *out;

	total = SECRET_NONCE_LEN + len + SECRET_TAG_LEN;
	box = xmalloc(total);
	if (RAND_bytes(box, SECRET_NONCE_LEN) != 1 || gcm(1, k, box, name,
	    (const unsigned char *)plain, (int)len, box + SECRET_NONCE_LEN,
	    box + SECRET_NONCE_LEN + len) < 0) {
		free(box);
		*cause = xstrdup("AES-256-GCM sealing failed");
		return NULL;
	}
	b64 = sign_base64(box, total);
	out = xasprintf(SECRET_PREFIX "%s:%s", k->id, b64);
	OPENSSL_cleanse(box, total);
	free(box);
	free(b64);
	return out;
}

char *
secret_open(const struct secret_key *k, const char *name, const char *sealed,
    char **cause)
{
	unsigned char	*box;
	const char	*id, *b64;
	char		*plain;
	size_t		 len, clen;

	if (!secret_is_sealed(sealed)) {
		*cause = xstrdup("secret stored in clear, not sealed with the "
		    "notice key");
		return NULL;
	}
	id = sealed + strlen(SECRET_PREFIX);
	if ((b64 = strchr(id, ':')) == NULL || b64 - id != 16 ||
	    strncmp(id, k->id, 16) != 0) {
		*cause = xasprintf("secret sealed with key %.16s, the "
		    "daemon's notice key is %s ([notices] secret_key_file)",
		    id, k->id);
		return NULL;
	}
	if ((box = sign_unbase64(b64 + 1, &len)) == NULL ||
	    len < SECRET_NONCE_LEN + SECRET_TAG_LEN) {
		free(box);
		*cause = xstrdup("sealed secret malformed");
		return NULL;
	}
	clen = len - SECRET_NONCE_LEN - SECRET_TAG_LEN;
	plain = xmalloc(clen + 1);
	if (gcm(0, k, box, name, box + SECRET_NONCE_LEN, (int)clen,
	    (unsigned char *)plain, box + SECRET_NONCE_LEN + clen) < 0) {
		OPENSSL_cleanse(plain, clen);
		free(plain);
		free(box);
		*cause = xasprintf("sealed secret does not open with key %s "
		    "for subscription %s (altered, or moved from another row)",
		    k->id, name);
		return NULL;
	}
	plain[clen] = '\0';
	free(box);
	return plain;
}
