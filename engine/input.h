/*
 * input.h -- one entry point for every manifest format.
 *
 * Detects the format by content (manifest/detect.h), decompresses gzip,
 * and hands the bytes to the EDIFACT or XML reader.  Used by `railgate
 * parse`, `railgate check` and the daemon's ingestion, so that all three
 * read a file the same way; and the stored zlib form, made and read back
 * (stored.c).  Safe on any thread.
 */
#ifndef ENGINE_INPUT_H
#define ENGINE_INPUT_H

#include <stddef.h>

#include "manifest/detect.h"
#include "manifest/model.h"

#define INPUT_DEFAULT_SCHEMA "etc/schema/manifest.xsd"

struct input_options {
	size_t		 max_size;	/* largest input after decompression; 0 = 1 GiB */
	int		 validate;	/* XML: validate against the schema first */
	const char	*schema;	/* NULL: INPUT_DEFAULT_SCHEMA */
	/* Optional: told which leading bytes of data the EDIFACT or XML
	 * reader is done with (edi_read_options, xml_read_options), e.g. to
	 * drop a mapped file's pages.  The XML reader reads the bytes twice:
	 * its second pass starts again from 0 (a smaller upto). */
	void		(*consumed)(void *arg, size_t upto);
	void		 *consumed_arg;
	/* The readers' threads: 0, their own for a big input (EDIFACT: a
	 * lexer from 1 MiB, which also prefaults a big model, unless
	 * RAILGATE_EDI_THREADS says 1 or 2; XML: a prefault thread;
	 * edi/reader.h and manifest/xml.h); 1, none;
	 * 2, the EDIFACT lexer's always (tests). */
	unsigned	  threads;
};

/*
 * Parses data into a new train owned by the caller (*out is always set).
 * 0 when a train was read (its diagnostics may still hold errors), -1
 * when the input could not be read as a manifest at all: the train then
 * holds only the diagnostics that say why.
 */
int input_parse(const char *data, size_t len, const struct input_options *opt,
    struct manifest_train **out);

/*
 * Inflates a gzip body -- every member, nothing after the last -- into
 * *out (caller frees), refusing more than max bytes of output (0: 1 GiB).
 * 0, or -1 with a diagnostic recorded in t saying what the body is (over
 * the limit, truncated, followed by other bytes, damaged) and at which
 * byte.
 */
int input_decompress(const char *data, size_t len, size_t max,
    struct manifest_train *t, char **out, size_t *outlen);

/*
 * The zlib form the daemon stores (manifests.raw_z) of len bytes, at the
 * fastest level (one ordinary zlib stream: zlib inflates it; stored.c
 * makes a big one on two threads unless threads is 1), caller frees;
 * NULL when compression fails.  sha256 (may be NULL) receives the bytes'
 * SHA-256 in hex.
 */
unsigned char *input_deflate_stored(const char *data, size_t len,
    unsigned threads, char sha256[65], size_t *outlen);

/*
 * Inflates a manifest as the daemon stores it (zlib, manifests.raw_z) into
 * *out (caller frees): 0, or -1 when the stored bytes are damaged.
 */
int input_inflate_stored(const unsigned char *z, size_t zlen, char **out,
    size_t *outlen);

#endif
