/*
 * jsonw.h -- a streaming writer of canonical JSON into a struct buf.
 *
 * Canonical here means: no white space, keys in the order the caller
 * writes them, strings as UTF-8 with only '"', '\\' and control
 * characters escaped (\b \f \n \r \t, else \u00XX) and a byte that is
 * not UTF-8 written as U+FFFD, decimals in their shortest form
 * (value.h).  The writer owns nothing but its nesting state; the buffer
 * belongs to the caller.  One writer per thread.
 */
#ifndef MANIFEST_JSONW_H
#define MANIFEST_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct buf	*out;
	int		 depth;
	bool		 need_comma[JSONW_MAX_DEPTH];
};

/* Starts writing into out (appending). */
void jsonw_init(struct jsonw *w, struct buf *out);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* Writes "key": inside an object; the value follows. */
void jsonw_key(struct jsonw *w, const char *key);
/*
 * The same for a key written in the source as a string literal (plain by
 * sight, so not scanned; anything else does not compile): the per-item
 * writers of manifest/json.c, which the wagons' contents hashes run a
 * dozen times an item.
 */
#define jsonw_key_literal(w, lit) \
	jsonw_key_quoted((w), "\"" lit "\":", sizeof(lit) + 2)
/* Writes quoted, a key already quoted and followed by its colon. */
void jsonw_key_quoted(struct jsonw *w, const char *quoted, size_t len);

void jsonw_string(struct jsonw *w, const char *s);
void jsonw_stringn(struct jsonw *w, const char *s, size_t len);
void jsonw_int(struct jsonw *w, int64_t v);
/* A decimal given in thousandths. */
void jsonw_decimal(struct jsonw *w, int64_t milli);
/* A double with up to 3 decimals, for timings only. */
void jsonw_double(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* An RFC 3339 UTC timestamp string. */
void jsonw_time(struct jsonw *w, int64_t t);
/* Pre-rendered JSON text, inserted as one value. */
void jsonw_raw(struct jsonw *w, const char *json, size_t len);

/* key + value shorthands; the _opt forms write nothing for NULL / absent. */
void jsonw_kv_string(struct jsonw *w, const char *key, const char *s);
void jsonw_kv_string_opt(struct jsonw *w, const char *key, const char *s);
void jsonw_kv_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_kv_decimal_opt(struct jsonw *w, const char *key, int64_t milli);
void jsonw_kv_time_opt(struct jsonw *w, const char *key, int64_t t);
void jsonw_kv_bool(struct jsonw *w, const char *key, bool v);

/* Appends s as a JSON string literal to b (no writer state). */
void json_escape(struct buf *b, const char *s, size_t len);
/*
 * How many leading bytes of s json_escape() copies as they are (printable
 * ASCII but '"' and '\\'): all len when s needs no escape.
 */
size_t json_plain_prefix(const char *s, size_t len);

#endif
