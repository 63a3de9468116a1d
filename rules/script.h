/*
 * script.h -- which scripts railgate compares names in (docs/screening.md,
 * "List files"): Latin, Cyrillic, Han, and the characters Unicode gives
 * to no one script (Common: digits, punctuation, spaces; Inherited:
 * combining marks).  A name holding a character of any other script
 * (Arabic, Katakana, Hangul...) cannot be compared and is refused at
 * load, or kept as a comment by `railgate lists import`.
 *
 * Uses ICU's uscript_getScript (thread-safe, no state); owns nothing.
 */
#ifndef RULES_SCRIPT_H
#define RULES_SCRIPT_H

#include <stddef.h>

/*
 * NULL when every character of the UTF-8 text s[0..len) is of a script
 * railgate compares; otherwise the English name of the first other
 * script met ("Arabic"; "Unknown" for an unassigned code point; "invalid
 * UTF-8" when the bytes are not), a static string.
 */
const char *script_uncompared(const char *s, size_t len);

#endif
