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
/*
 * The members of one goods item as the canonical model writes them (seq,
 * hs, ..., documents, placement), into an object the caller opened: the
 * console's wagon page writes its items with the model's own words.
 */
void manifest_item_write_members(struct jsonw *w,
    const struct manifest_item *it);
/*
 * The same bytes, written member by member through the writer whatever
 * the strings hold: what manifest_item_write_members() does for an item
 * with a string to escape (the json suite compares the two).
 */
void manifest_item_write_members_escaped(struct jsonw *w,
    const struct manifest_item *it);

/*
 * What a replacement is compared by (docs/daemon.md "Amendments"), as
 * canonical JSON appended to out, for a hash: a wagon's contents -- the
 * wagon, its seals, its containers and every goods item on it with its
 * consignment's fields (parties, procedure, value), but not its position
 * -- and the train's other contents -- its header without the message's
 * own fields (function, reference, issue and arrival times), containers
 * and goods on no wagon, the diagnostics' codes.
 */
void manifest_wagon_contents_write(const struct manifest_wagon *wg,
    struct buf *out);
void manifest_train_contents_write(const struct manifest_train *t,
    struct buf *out);
/* The SHA-256 in hex of manifest_wagon_contents_write()'s bytes, which
 * are never held whole. */
void manifest_wagon_contents_sha256(const struct manifest_wagon *wg,
    char hex[65]);

#endif
