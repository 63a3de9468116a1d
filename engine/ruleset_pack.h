/*
 * ruleset_pack.h -- a rule set's exact files as the database keeps them
 * (rulesets.files_z), so that a decision's rule set can be shown and
 * compiled again years later: zlib of, per file, its name NUL, its size
 * in decimal NUL, its bytes.  Pure; any thread.
 */
#ifndef ENGINE_RULESET_PACK_H
#define ENGINE_RULESET_PACK_H

#include <stddef.h>

struct rules_file;

/* Packs n files into *z (caller frees); *zlen 0 if compression failed. */
void ruleset_pack(const struct rules_file *files, size_t n, unsigned char **z,
    size_t *zlen);
/*
 * Unpacks: *files (caller frees the array) are views into *data (caller
 * frees).  0, or -1 when the stored bytes are damaged (nothing to free).
 */
int ruleset_unpack(const unsigned char *z, size_t zlen, char **data,
    struct rules_file **files, size_t *n);

#endif
