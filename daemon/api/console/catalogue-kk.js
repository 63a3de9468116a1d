/*
 * catalogue-kk.js -- the console's own text in Kazakh, ready to be
 * filled: English text (the key, as RG.t gets it) -> Kazakh.  Until a
 * string is here it shows in English.  `scripts/console-strings.sh kk`
 * lists every string to translate (docs/console.md "Adding a language").
 */
"use strict";

RG.addCatalogue("kk", {
});
