/*
 * documents.js -- beside a DOC_CHECK hit, the documents the railway
 * uploaded for its consignment or the whole train (GET
 * /v1/trains/{id}/documents, docs/documents.md), the code the hit's rule
 * asks for first: each with its state, a button to view it and, while it
 * is pending, a reason and Accept / Reject for officers.  hits.js places
 * the box under each hit.
 *
 * A document's bytes are fetched with the officer's credential and
 * handed to the browser as a download (a blob), never opened in the
 * console's page: the daemon serves them as an attachment that nothing
 * may run, and the console keeps it that way.
 */
"use strict";

(function () {
	var RG = window.RG;
	var el = RG.el, api = RG.api, enc = RG.enc, showError = RG.showError;
	var lists = {};		/* train id -> { at, promise } for 2 s */

	/* The train the page shows ("#/train/ID..."), or null. */
	function trainOfPage() {
		var m = /^#\/train\/([^\/]+)/.exec(window.location.hash || "");

		return m ? decodeURIComponent(m[1]) : null;
	}

	function listOf(id, fresh) {
		var c = lists[id];

		if (!fresh && c && Date.now() - c.at < 2000)
			return c.promise;
		c = lists[id] = { at: Date.now(), promise: api("GET",
		    "/v1/trains/" + enc(id) + "/documents") };
		c.promise.catch(function () { delete lists[id]; });
		return c.promise;
	}

	/* The code a hit's rule asks for ("has document 851"), or null. */
	function codeAsked(h) {
		var m = /has\s+document\s+([0-9]{3})/.exec(RG.ruleText ?
		    RG.ruleText(h.rule) : "") || /\(document ([0-9]{3})\)/.exec(
		    h.reason || "");

		return m ? m[1] : null;
	}

	/* Fetches the bytes with the credential and offers them as a file. */
	function view(id, d) {
		var opts = { cache: "no-store", headers: {},
		    credentials: RG.token() ? "omit" : "same-origin" };

		if (RG.token())
			opts.headers.Authorization = "Bearer " + RG.token();
		fetch("/v1/trains/" + enc(id) + "/documents/" + enc(d.id),
		    opts).then(function (r) {
			if (!r.ok)
				throw new Error(RG.t("Document {id}: {status}",
				    { id: d.id, status: r.status }));
			return r.blob();
		}).then(function (b) {
			var url = URL.createObjectURL(b), a = el("a", { href: url,
			    download: "document-" + d.id + "-" + d.code });

			document.body.appendChild(a);
			a.click();
			a.remove();
			setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
		}).catch(function (e) { showError(e.message); });
	}

	function decide(id, d, verb, reason, box, refresh) {
		if (!reason.value.trim()) {
			showError(RG.t("Say why: the railway reads the reason."));
			return;
		}
		api("POST", "/v1/trains/" + enc(id) + "/documents/" + enc(d.id) +
		    "/" + verb, { reason: reason.value.trim() }).then(function () {
			showError("");
			refresh(true);
			if (RG.state.view === "train" && RG.loadTrain)
				RG.loadTrain(RG.state.trainId);
		}).catch(function (e) { showError(e.message); });
	}

	function stateText(d) {
		if (d.state === "pending")
			return RG.t("waiting for an officer");
		return RG.t("{state} by {by}: {reason}", { state: d.state,
		    by: d.decided_by || "?", reason: d.reason || "" });
	}

	function renderOne(id, d, box, refresh) {
		var li = el("li", { class: "document", "data-state": d.state,
		    "data-id": String(d.id) },
		    el("span", { class: "badge", text: d.code }), " ",
		    el("span", { text: RG.t("{type}, {size} bytes, from {by} at {at}",
			{ type: d.content_type, size: d.size, by: d.uploaded_by,
			at: RG.timeText(d.uploaded_at) }) }), " ",
		    el("span", { class: "document-state", text: stateText(d) }), " ",
		    el("button", { type: "button", class: "document-view",
			text: RG.t("View"), onclick: function () { view(id, d); } }));
		var reason, form;

		if (d.state !== "pending" || !RG.hasRole(["officer", "supervisor"]))
			return li;
		reason = el("input", { type: "text", size: 40, class: "reason",
		    placeholder: RG.t("Reason (the railway reads it)") });
		form = el("div", { class: "document-decide" }, reason, " ",
		    el("button", { type: "button", class: "document-accept",
			text: RG.t("Accept"), onclick: function () {
			decide(id, d, "accept", reason, box, refresh); } }), " ",
		    el("button", { type: "button", class: "document-reject",
			text: RG.t("Reject"), onclick: function () {
			decide(id, d, "reject", reason, box, refresh); } }));
		li.appendChild(form);
		return li;
	}

	/*
	 * Under a DOC_CHECK hit about a consignment: its documents and the
	 * whole train's, those of the code asked for first; null for any
	 * other hit.
	 */
	function documentsBox(h) {
		var id = trainOfPage(), cs = h.subject ? h.subject.consignment :
		    null, code = codeAsked(h), ul, box;

		if (h.action !== "DOC_CHECK" || !id || !cs)
			return null;
		ul = el("ul", { class: "documents" });
		box = el("div", { class: "documents-box", "data-consignment": cs,
		    "data-code": code || "" }, el("h4", { text: code ?
		    RG.t("Documents uploaded ({code} asked for)", { code: code }) :
		    RG.t("Documents uploaded") }), ul);
		function refresh(fresh) {
			listOf(id, fresh).then(function (list) {
				var mine = (list || []).filter(function (d) {
					return d.consignment === cs || !d.consignment;
				}).sort(function (a, b) {
					return (b.code === code) - (a.code === code) ||
					    a.id - b.id;
				});

				RG.clear(ul);
				if (!mine.length)
					ul.appendChild(el("li", { class: "hint",
					    text: RG.t("None uploaded yet.") }));
				mine.forEach(function (d) {
					ul.appendChild(renderOne(id, d, box, refresh));
				});
			}).catch(function () {
				box.hidden = true;
			});
		}
		refresh(false);
		return box;
	}

	RG.documentsBox = documentsBox;
})();
