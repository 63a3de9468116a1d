/*
 * api_console.c -- the officer console: static HTML, CSS and JavaScript
 * (daemon/api/console/, embedded by the build as daemon/api/openapi.json is),
 * served without a token because they hold no data; the page asks for a
 * token and calls the API with it (docs/console.md).
 *
 * Every file goes out with a Content-Security-Policy that admits scripts,
 * styles and connections from this origin only, so the page runs no
 * inline or foreign code whatever a manifest's text contains.
 */
#include <stddef.h>
#include <string.h>

#include "manifest/util.h"

#include "daemon/api/api.h"

/* The files, embedded by the build (scripts/embed-file.sh). */
extern const char	console_index_html[];
extern const size_t	console_index_html_len;
extern const char	console_i18n_js[];
extern const size_t	console_i18n_js_len;
extern const char	console_catalogue_zh_Hans_js[];
extern const size_t	console_catalogue_zh_Hans_js_len;
extern const char	console_catalogue_ru_js[];
extern const size_t	console_catalogue_ru_js_len;
extern const char	console_catalogue_kk_js[];
extern const size_t	console_catalogue_kk_js_len;
extern const char	console_catalogue_vi_js[];
extern const size_t	console_catalogue_vi_js_len;
extern const char	console_hits_js[];
extern const size_t	console_hits_js_len;
extern const char	console_trainhits_js[];
extern const size_t	console_trainhits_js_len;
extern const char	console_screening_js[];
extern const size_t	console_screening_js_len;
extern const char	console_wagon_js[];
extern const size_t	console_wagon_js_len;
extern const char	console_parcels_js[];
extern const size_t	console_parcels_js_len;
extern const char	console_core_js[];
extern const size_t	console_core_js_len;
extern const char	console_list_js[];
extern const size_t	console_list_js_len;
extern const char	console_train_js[];
extern const size_t	console_train_js_len;
extern const char	console_bulk_js[];
extern const size_t	console_bulk_js_len;
extern const char	console_approval_js[];
extern const size_t	console_approval_js_len;
extern const char	console_setout_js[];
extern const size_t	console_setout_js_len;
extern const char	console_proposals_js[];
extern const size_t	console_proposals_js_len;
extern const char	console_amend_js[];
extern const size_t	console_amend_js_len;
extern const char	console_take_js[];
extern const size_t	console_take_js_len;
extern const char	console_documents_js[];
extern const size_t	console_documents_js_len;
extern const char	console_search_js[];
extern const size_t	console_search_js_len;
extern const char	console_stream_js[];
extern const size_t	console_stream_js_len;
extern const char	console_alerts_js[];
extern const size_t	console_alerts_js_len;
extern const char	console_console_css[];
extern const size_t	console_console_css_len;

#define CONSOLE_CSP	"default-src 'none'; script-src 'self'; " \
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

#define JS	"text/javascript; charset=utf-8"

static const struct console_file {
	const char	*name;
	const char	*content_type;
	const char	*data;
	const size_t	*len;
} console_files[] = {
	{ "index.html", "text/html; charset=utf-8", console_index_html,
	    &console_index_html_len },
	{ "i18n.js", JS, console_i18n_js, &console_i18n_js_len },
	{ "catalogue-zh-Hans.js", JS, console_catalogue_zh_Hans_js,
	    &console_catalogue_zh_Hans_js_len },
	{ "catalogue-ru.js", JS, console_catalogue_ru_js,
	    &console_catalogue_ru_js_len },
	{ "catalogue-kk.js", JS, console_catalogue_kk_js,
	    &console_catalogue_kk_js_len },
	{ "catalogue-vi.js", JS, console_catalogue_vi_js,
	    &console_catalogue_vi_js_len },
	{ "hits.js", JS, console_hits_js, &console_hits_js_len },
	{ "trainhits.js", JS, console_trainhits_js, &console_trainhits_js_len },
	{ "screening.js", JS, console_screening_js,
	    &console_screening_js_len },
	{ "wagon.js", JS, console_wagon_js, &console_wagon_js_len },
	{ "search.js", JS, console_search_js, &console_search_js_len },
	{ "core.js", JS, console_core_js, &console_core_js_len },
	{ "list.js", JS, console_list_js, &console_list_js_len },
	{ "train.js", JS, console_train_js, &console_train_js_len },
	{ "bulk.js", JS, console_bulk_js, &console_bulk_js_len },
	{ "approval.js", JS, console_approval_js, &console_approval_js_len },
	{ "setout.js", JS, console_setout_js, &console_setout_js_len },
	{ "parcels.js", JS, console_parcels_js, &console_parcels_js_len },
	{ "proposals.js", JS, console_proposals_js, &console_proposals_js_len },
	{ "amend.js", JS, console_amend_js, &console_amend_js_len },
	{ "take.js", JS, console_take_js, &console_take_js_len },
	{ "documents.js", JS, console_documents_js,
	    &console_documents_js_len },
	{ "stream.js", JS, console_stream_js, &console_stream_js_len },
	{ "alerts.js", JS, console_alerts_js, &console_alerts_js_len },
	{ "console.css", "text/css; charset=utf-8", console_console_css,
	    &console_console_css_len },
};

/* Answers with one embedded file and the console's headers. */
static void
console_reply(struct http_ctx *c, const struct console_file *f)
{
	http_add_header(c, "Content-Security-Policy", CONSOLE_CSP);
	http_add_header(c, "Referrer-Policy", "no-referrer");
	http_reply(c, 200, f->content_type, f->data, *f->len);
}

/* GET / */
void
api_console_index(struct http_ctx *c)
{
	console_reply(c, &console_files[0]);
}

/* GET /console/{file} */
void
api_console_file(struct http_ctx *c)
{
	const char	*name = http_param(c, 0);
	size_t		 i;

	for (i = 0; name != NULL && i < nitems(console_files); i++)
		if (strcmp(name, console_files[i].name) == 0) {
			console_reply(c, &console_files[i]);
			return;
		}
	http_reply_problem(c, 404, "Not Found", "no such console file", NULL, 0);
}
