/*
 * search.js -- the search box in the bar and its results (#/search/TEXT;
 * GET /v1/search?q=TEXT): trains by number, wagons and containers by
 * number, parties by name, each found by any part of it, whatever the
 * case.  A result links to its train, or to the wagon's page for a wagon,
 * a container, or a party whose goods are on a wagon.
 */
"use strict";

(function () {
	var RG = window.RG;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc, LANES = RG.LANES;
	var MIN_CHARS = 3, MAX_CHARS = 64;

	function trainHref(h) {
		return "#/train/" + enc(h.id);
	}

	function wagonHref(h) {
		return "#/train/" + enc(h.id) + "/wagon/" + enc(h.wagon);
	}

	/* One hit: a link and what matched. */
	function hitItem(h) {
		var text, href;

		switch (h.kind) {
		case "train":
			href = trainHref(h);
			text = RG.t("train {train}, run {run}: {state}", { train:
			    h.train, run: h.run, state: h.state }) + (h.decision ?
			    ", " + h.decision : "");
			break;
		case "wagon":
			href = wagonHref(h);
			text = RG.t("wagon {wagon} at position {position} of train {train}", {
			    wagon: h.wagon, position: h.position, train: h.id });
			break;
		case "container":
			href = wagonHref(h);
			text = RG.t("container {container} on wagon {wagon} of train {train}", {
			    container: h.container, wagon: h.wagon, train: h.id });
			break;
		default:
			href = h.wagon ? wagonHref(h) : trainHref(h);
			text = RG.t("{role} {name} ({country}), consignment {consignment} of train {train}", {
			    role: RG.word(h.role), name: h.name, country:
			    h.country || "?", consignment: h.consignment || "-",
			    train: h.id }) + (h.wagons && h.wagons.length ?
			    "; " + RG.t("wagons {wagons}", { wagons:
			    h.wagons.join(", ") }) : "");
		}
		return el("li", { class: "search-hit", "data-kind": h.kind },
		    el("a", { href: href, text: text }),
		    h.action ? el("span", { class: "badge lane-" +
			(LANES[h.action] || "unknown"), text: h.action }) : null);
	}

	function renderGroup(title, group) {
		var hits = group ? group.hits : [];

		return el("div", { class: "panel" },
		    el("h3", { text: title + " (" + hits.length +
			(group && group.more ? "+" : "") + ")" }),
		    hits.length === 0 ? el("p", { class: "hint",
			text: RG.t("Nothing found.") }) :
		    el("ul", { class: "plain search-hits" }, hits.map(hitItem)),
		    group && group.more ? el("p", { class: "hint", text:
			RG.t("More than shown: type more of it.") }) : null);
	}

	function openSearch(q) {
		var root = $("search");

		RG.showView("search");
		if ($("search-q"))	/* the bar is drawn once the page is loaded */
			$("search-q").value = q;
		clear(root);
		root.appendChild(el("h2", { text: RG.t("Search: {q}", { q: q }) }));
		api("GET", "/v1/search?q=" + enc(q)).then(function (r) {
			if (RG.state.view !== "search")
				return;
			showError("");
			root.appendChild(renderGroup(RG.t("Trains"), r.trains));
			root.appendChild(renderGroup(RG.t("Wagons"), r.wagons));
			root.appendChild(renderGroup(RG.t("Containers"), r.containers));
			root.appendChild(renderGroup(RG.t("Parties"), r.parties));
			document.body.setAttribute("data-rendered", "search");
		}).catch(function (e) {
			showError(e.message);
		});
	}

	/* The box in the bar. */
	function searchBox() {
		var q = el("input", { id: "search-q", type: "search", size: 24,
		    maxlength: MAX_CHARS, "aria-label": RG.t("Search"),
		    placeholder: RG.t("train, wagon, container, party"),
		    title: RG.t("key: /") }),
		    form = el("form", { id: "search-form", class: "search noprint",
		    role: "search", onsubmit: function (ev) {
			var v = q.value.trim();

			ev.preventDefault();
			if (v.length < MIN_CHARS) {
				showError(RG.t("Type at least {n} characters to search.",
				    { n: MIN_CHARS }));
				return;
			}
			if (location.hash === "#/search/" + enc(v))
				openSearch(v);
			else
				location.hash = "#/search/" + enc(v);
		    } }, q, " ", el("button", { id: "search-submit",
			type: "submit", text: RG.t("Search") }));

		return form;
	}

	/* "/" puts the cursor in the search box, unless one is typing. */
	document.addEventListener("keydown", function (ev) {
		var t = ev.target && ev.target.tagName;

		if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey ||
		    t === "INPUT" || t === "SELECT" || t === "TEXTAREA" ||
		    !$("search-q"))
			return;
		ev.preventDefault();
		$("search-q").focus();
	});

	document.addEventListener("DOMContentLoaded", function () {
		var bar = document.querySelector("header.bar"),
		    who = $("who");

		if (bar)
			bar.insertBefore(searchBox(), who || null);
	});

	RG.openSearch = openSearch;
	RG.addRoute(/^search\/(.+)$/, function (m) { openSearch(m[1]); });
})();
