/*
 * json.h -- the canonical JSON of a train (docs/model.md).
 *
 * Two inputs that describe the same train produce byte-identical output:
 * keys in the model's order, arrays in manifest order, absent optional
 * fields left out.  Writes into a caller-owned buffer; reads the finished
 * train only, so any thread may call it.
 */
#ifndef MANIFEST_JSON_H
#define MANIFEST_JSON_H

#include "diag.h"
#include "jsonw.h"
#include "model.h"

/* Adds a "diagnostics" array after the model's own keys. */
#define MANIFEST_JSON_DIAGNOSTICS	0x1

/* Appends the train's canonical JSON to out. */
void manifest_json_write(const struct manifest_train *t, unsigned flags,
    struct buf *out);
/* Writes a diagnostics array: [{"severity","code","where","message"}...]. */
void manifest_json_write_diags(struct jsonw *w, const struct diag_list *l);

#endif
