/*
 * catalogue-vi.js -- the console's own text in Vietnamese, ready to be
 * filled: English text (the key, as RG.t gets it) -> Vietnamese.  Until a
 * string is here it shows in English.  `scripts/console-strings.sh vi`
 * lists every string to translate (docs/console.md "Adding a language").
 */
"use strict";

RG.addCatalogue("vi", {
});
