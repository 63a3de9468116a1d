/*
 * language.h -- the console's languages (zh-Hans, ru, en, kk, vi) and the
 * best of them for a request's Accept-Language.  Pure; any thread.
 */
#ifndef DAEMON_API_LANGUAGE_H
#define DAEMON_API_LANGUAGE_H

#include <stdbool.h>

/* True when tag is one of the console's languages, spelt as stored. */
bool language_known(const char *tag);
/*
 * The console's language best matching an Accept-Language value (the
 * highest q; among equal q, the first): any zh (zh, zh-CN, zh-Hans,
 * zh-TW...) is zh-Hans; "en" when none matches or header is NULL.
 */
const char *language_best(const char *accept_language);

#endif
