/*
 * bundle.h -- verifying an evidence bundle offline (`railgate verify`,
 * docs/evidence.md): its shape, every part's SHA-256, the manifests and
 * rule sets against the hashes the decisions and the audit records name,
 * every decision made again by the engine (engine/decide.h, as `railgate
 * replay` does), the audit records linked up to the checkpoint, and the
 * checkpoint's signature with the station's public key.  No database, no
 * network.  Pure; the pieces are exposed for the unit tests.
 */
#ifndef CLI_BUNDLE_H
#define CLI_BUNDLE_H

#include <stddef.h>

#include <jansson.h>

#include "manifest/util.h"

struct sign_key;

#define BUNDLE_FORMAT	"railgate-evidence-bundle/1"

/* What a verification found: one line per failure, naming the part. */
struct bundle_report {
	struct buf	 failures;	/* "manifests[0]: sha256 mismatch\n"... */
	int		 nfailures;
	int		 parts;		/* parts whose hash was checked */
	int		 decided;	/* decisions made again and compared */
	int		 records;	/* audit records linked */
	long long	 checkpoint_seq;
};

/*
 * Reads the bundle text: JSON without duplicate keys, the format named,
 * every part present with the right type.  The bundle (new reference),
 * or NULL with *cause (caller frees) saying what and where: the line,
 * column and byte position of a JSON error, or the member at fault.
 */
json_t *bundle_load(const char *text, size_t len, char **cause);

/*
 * A part's bytes: its data decoded (base64, or the JSON text as it is)
 * and checked against its sha256, a mismatch added to r naming name.
 * The bytes (caller frees; NUL-ended) and 0, even after a mismatch, so
 * that the checks of their content say more; -1 when data cannot be
 * decoded.
 */
int bundle_part_bytes(json_t *part, const char *name, unsigned char **bytes,
    size_t *len, struct bundle_report *r);

/* The text an audit record's hash covers (audit_record_text() in
 * db/functions/10_audit.sql); NULL when a member is missing. */
char *bundle_audit_text(json_t *rec);

/*
 * Links the audit records: consecutive seqs, each prev_hash the previous
 * hash, each hash the SHA-256 of prev_hash, LF and its text; the last one
 * the checkpoint's (cp_seq, cp_hash; cp_hash NULL: no checkpoint).
 * Failures go to r as "audit[K] seq N: ...".
 */
void bundle_audit_check(json_t *records, long long cp_seq,
    const char *cp_hash, struct bundle_report *r);

/* Verifies the bundle with the station's public key; 0 when everything
 * holds, else r lists the failures. */
int bundle_verify(json_t *bundle, const struct sign_key *key,
    struct bundle_report *r);

void bundle_report_clear(struct bundle_report *r);

/* Shared by bundle_verify.c and bundle_decide.c; not for other modules. */
void bundle_fail(struct bundle_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A part whose data is JSON text, hash checked and parsed; NULL after a
 * failure added to r. */
json_t *bundle_part_json(json_t *part, const char *name,
    struct bundle_report *r);

#endif
