/*
 * parcels.js -- an e-commerce train's parcels (docs/parcels.md).
 *
 * On the train page, when the decision has "parcels": the counts by
 * action and the containers to unload (each linking to its parcels).
 *
 * The parcel list (#/train/ID/parcels, with ?container=, ?rule=,
 * ?action=, ?q=; GET /v1/trains/{id}/parcels): filters by container and
 * rule (filled from the decision's unload and set_aside lists), by
 * action, and a tracking-number search.  A list may hold 100,000 parcels
 * or more: it is drawn by virtual scrolling -- a spacer as tall as every
 * row, and only the rows in sight (and a few around) in the page, drawn
 * again on scroll.  The first FIRST_ROWS come in a small request, so the
 * list shows at once; the rest in chunks of CHUNK rows, all of them in
 * the background when the list holds at most BACKGROUND_MAX, else those
 * scrolled to.  Every text enters the page through textContent (RG.el).
 */
"use strict";

(function () {
	var RG = window.RG;
	var ROW_H = 26, OVERSCAN = 10, FIRST_ROWS = 100, CHUNK = 25000,
	    BACKGROUND_MAX = 100000, MAX_SPACER_PX = 8000000, SEARCH_MS = 300;
	var ACTIONS = ["RELEASE", "SET_ASIDE", "DOC_CHECK", "INSPECT", "HOLD",
	    "REFUSE"];
	var LANE_OF = { RELEASE: "green", DOC_CHECK: "yellow", INSPECT: "red",
	    HOLD: "held", REFUSE: "refused" };
	var state = RG.state;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc;

	/* The column index of each member of a row (the API's "columns"). */
	var COL = {};

	function actionWord(a) {
		return a === "SET_ASIDE" ? RG.t("set aside (any action)") :
		    RG.actionText(a);
	}

	/* ---- the train page's panel ---- */

	function parcelsHref(id, filters) {
		var q = [];

		Object.keys(filters || {}).forEach(function (k) {
			if (filters[k])
				q.push(k + "=" + enc(filters[k]));
		});
		return "#/train/" + enc(id) + "/parcels" + (q.length ? "?" +
		    q.join("&") : "");
	}

	/* The decision's parcels: counts by action, the containers to unload. */
	function renderParcelsPanel(d, id) {
		var p = d.parcels, c = p.counts || {}, unload = p.unload || [],
		    panel = el("div", { id: "parcels-panel", class: "panel" });

		panel.appendChild(el("h3", { text: RG.t("Parcels") }));
		panel.appendChild(el("p", { id: "parcel-counts",
		    class: "lane-counts" },
		    el("span", { class: "total", text: RG.t("{n} parcels:",
			{ n: c.parcels || 0 }) }),
		    [["released", function (n) {
			return RG.t("released {n}", { n: n }); }],
		     ["audit", function (n) {
			return RG.t("audit {n}", { n: n }); }],
		     ["resolved", function (n) {
			return RG.t("resolved {n}", { n: n }); }],
		     ["set_aside", function (n) {
			return RG.t("set aside {n}", { n: n }); }]
		    ].map(function (k) {
			return el("span", { class: "key pcount", "data-count-of": k[0],
			    "data-count": c[k[0]] || 0, text: k[1](c[k[0]] || 0) });
		    }),
		    ["DOC_CHECK", "INSPECT", "HOLD", "REFUSE"].map(function (a) {
			var n = c[a.toLowerCase()] || 0;

			return el("span", { class: "key lane-" + LANE_OF[a] +
			    (n ? "" : " none"), "data-count-of": a,
			    "data-count": n, text: RG.t("{action} {n}",
			    { action: RG.actionText(a), n: n }) });
		    })));
		panel.appendChild(el("p", null,
		    el("a", { id: "parcels-all-link", href: parcelsHref(id),
			text: RG.t("All parcels") }), " \u00b7 ",
		    el("a", { id: "parcels-aside-link", href: parcelsHref(id,
			{ action: "SET_ASIDE" }),
			text: RG.t("The parcels set aside") })));
		if (unload.length === 0) {
			panel.appendChild(el("p", { class: "hint",
			    text: RG.t("No container to unload: no parcel is set aside.") }));
			return panel;
		}
		panel.appendChild(el("table", { id: "unload-table" },
		    el("thead", null, el("tr", null, [RG.t("Container"),
			RG.t("Position"), RG.t("Wagon"), RG.t("Parcels set aside"),
			RG.t("Unloaded")].map(function (h) {
			    return el("th", { text: h });
			}))),
		    el("tbody", null, unload.map(function (u) {
			return el("tr", { class: u.unloaded ? "unloaded" :
			    "to-unload" },
			    el("td", null, el("a", { href: parcelsHref(id,
				{ container: u.container, action: "SET_ASIDE" }),
				class: "unload-link", text: u.container })),
			    el("td", { class: "num", text: u.position }),
			    el("td", { text: u.wagon }),
			    el("td", { class: "num", text: u.parcels }),
			    el("td", { text: u.unloaded ? RG.t("yes") :
				RG.t("no") }));
		    }))));
		return panel;
	}

	/* ---- the parcel list ---- */

	/*
	 * The list being shown: its filters, rows (sparse: index -> row
	 * array), total, the chunks loaded or asked for, and a sequence
	 * number that drops the answers of a list no longer shown.
	 */
	var list = null;

	function filtersOf(hash) {
		var i = hash.indexOf("?"), p, f = {};

		p = new URLSearchParams(i >= 0 ? hash.slice(i + 1) : "");
		["container", "rule", "action", "q"].forEach(function (k) {
			var v = p.get(k);

			if (v)
				f[k] = v;
		});
		return f;
	}

	function query(f, offset, limit) {
		var q = ["offset=" + offset, "limit=" + limit];

		Object.keys(f).forEach(function (k) {
			q.push(k + "=" + enc(f[k]));
		});
		return "?" + q.join("&");
	}

	function openParcels(id) {
		var f = filtersOf(location.hash), seq;

		RG.showView("parcels");
		if (!list || list.trainId !== id)
			buildView(id);
		state.trainId = id;
		seq = (list && list.seq || 0) + 1;
		list = { trainId: id, filters: f, rows: [], total: 0,
		    parcels: 0, chunks: {}, seq: seq, height: 0,
		    decision: list && list.trainId === id ? list.decision :
			undefined };
		setForm(f);
		$("parcels-summary").textContent = RG.t("Loading parcels\u2026");
		fetchRows(0, FIRST_ROWS, true);
		loadDecision(id);
	}

	/* The decision, for the filters' choices: the train page's, or fetched. */
	function loadDecision(id) {
		var seq = list.seq;

		if (list.decision !== undefined) {
			fillChoices(list.decision);
			return;
		}
		if (state.train && state.train.id === id) {
			list.decision = state.train.decision;
			fillChoices(list.decision);
			return;
		}
		api("GET", "/v1/trains/" + enc(id) + "/decision").catch(function (e) {
			if (e.status === 404)
				return null;
			throw e;
		}).then(function (d) {
			if (!list || list.seq !== seq)
				return;
			list.decision = d;
			fillChoices(d);
		}).catch(function (e) { showError(e.message); });
	}

	/* Rows offset..offset+limit; the first answer draws the list. */
	function fetchRows(offset, limit, first) {
		var seq = list.seq, f = list.filters;

		return api("GET", "/v1/trains/" + enc(list.trainId) + "/parcels" +
		    query(f, offset, limit)).then(function (r) {
			var i;

			if (!list || list.seq !== seq || state.view !== "parcels")
				return;
			if (first)
				(r.columns || []).forEach(function (c, k) { COL[c] = k; });
			list.total = r.total;
			list.parcels = r.parcels;
			for (i = 0; i < r.rows.length; i++)
				list.rows[offset + i] = r.rows[i];
			if (first) {
				showError("");
				drawList(r);
				background();
			} else
				drawRows();
		}).catch(function (e) {
			if (list && list.seq === seq) {
				showError(e.message);
				$("parcels-summary").textContent = "";
			}
		});
	}

	/* Chunk k (rows k*CHUNK...), unless loaded or asked for. */
	function loadChunk(k) {
		if (list.chunks[k] || k * CHUNK >= list.total)
			return Promise.resolve();
		list.chunks[k] = true;
		return fetchRows(k * CHUNK, Math.min(CHUNK, list.total - k * CHUNK),
		    false);
	}

	/* A list of at most BACKGROUND_MAX: every chunk, one after another. */
	function background() {
		var seq = list.seq, k = 0;

		if (list.total <= FIRST_ROWS || list.total > BACKGROUND_MAX) {
			markLoaded();
			return;
		}
		(function next() {
			if (!list || list.seq !== seq)
				return;
			if (k * CHUNK >= list.total) {
				markLoaded();
				return;
			}
			loadChunk(k++).then(next);
		})();
	}

	function markLoaded() {
		document.body.setAttribute("data-parcels-loaded", String(list.total));
		if (window.railgateParcelsLoadedMs === undefined)
			window.railgateParcelsLoadedMs = performance.now();
	}

	/* The view's frame, once per train: the filters, the summary, the
	 * scroller with its spacer and the window of rows. */
	function buildView(id) {
		var root = $("parcels"), search, timer = null;

		clear(root);
		root.appendChild(el("p", { class: "noprint" },
		    el("a", { id: "parcels-back", href: "#/train/" + enc(id),
			text: "\u2190 " + RG.t("train {train}", { train: id }) })));
		root.appendChild(el("h2", { text: RG.t("Parcels of train {train}",
		    { train: id }) }));
		search = el("input", { id: "parcels-q", type: "search", size: 24,
		    maxlength: 35, placeholder: RG.t("tracking number\u2026"),
		    "aria-label": RG.t("tracking number\u2026") });
		search.addEventListener("input", function () {
			clearTimeout(timer);
			timer = setTimeout(applyFilters, SEARCH_MS);
		});
		root.appendChild(el("form", { id: "parcels-form", class:
		    "parcel-filters noprint", onsubmit: function (ev) {
			ev.preventDefault();
			applyFilters();
		    }, onchange: function (ev) {
			if (ev.target !== search)
				applyFilters();
		    } },
		    el("select", { id: "parcels-container", "aria-label":
			RG.t("Container") }),
		    el("select", { id: "parcels-rule", "aria-label": RG.t("Rule") }),
		    el("select", { id: "parcels-action", "aria-label":
			RG.t("Action") }), search));
		root.appendChild(el("p", { id: "parcels-summary", class: "status" }));
		root.appendChild(el("div", { id: "parcels-head", class: "prow phead" },
		    [RG.t("Tracking number"), RG.t("Pos."), RG.t("Wagon"),
		     RG.t("Container"), RG.t("Consignment"), RG.t("Consignee"),
		     RG.t("Value"), RG.t("HS"), RG.t("Description"),
		     RG.t("Action"), RG.t("Rule")].map(function (h) {
			return el("span", { class: "pcell", text: h });
		    })));
		root.appendChild(el("div", { id: "parcels-scroll",
		    class: "pscroll" }, el("div", { id: "parcels-spacer",
		    class: "pspacer" }, el("div", { id: "parcels-rows",
		    class: "prows" }))));
		$("parcels-scroll").addEventListener("scroll", function () {
			if (!list || list.frame)
				return;
			list.frame = requestAnimationFrame(function () {
				list.frame = 0;
				drawRows();
			});
		});
	}

	function option(value, text, selected) {
		return el("option", { value: value, text: text,
		    selected: selected });
	}

	/* The filters' controls as the hash says. */
	function setForm(f) {
		fillChoices(list.decision);
		$("parcels-action").value = f.action || "";
		if (document.activeElement !== $("parcels-q"))
			$("parcels-q").value = f.q || "";
	}

	/* The container and rule menus from the decision (and the hash). */
	function fillChoices(d) {
		var p = d && d.parcels, f = list.filters, conts = [], rules = [],
		    sc = $("parcels-container"), sr = $("parcels-rule"),
		    sa = $("parcels-action");

		((p && p.unload) || []).forEach(function (u) {
			if (conts.indexOf(u.container) < 0)
				conts.push(u.container);
		});
		((p && p.set_aside) || []).forEach(function (s) {
			if (rules.indexOf(s.rule) < 0)
				rules.push(s.rule);
			(s.also || []).forEach(function (a) {
				if (rules.indexOf(a.rule) < 0)
					rules.push(a.rule);
			});
		});
		rules.sort();
		if (f.container && conts.indexOf(f.container) < 0)
			conts.push(f.container);
		if (f.rule && rules.indexOf(f.rule) < 0)
			rules.push(f.rule);
		clear(sc);
		sc.appendChild(option("", RG.t("all containers"), !f.container));
		conts.forEach(function (c) {
			sc.appendChild(option(c, c, c === f.container));
		});
		clear(sr);
		sr.appendChild(option("", RG.t("all rules"), !f.rule));
		rules.forEach(function (r) {
			sr.appendChild(option(r, r, r === f.rule));
		});
		if (!sa.firstChild) {
			sa.appendChild(option("", RG.t("all actions"), !f.action));
			ACTIONS.forEach(function (a) {
				sa.appendChild(option(a, actionWord(a), a === f.action));
			});
		}
		sa.value = f.action || "";
	}

	/* The controls' filters into the hash (which opens the list anew). */
	function applyFilters() {
		var f = {
			container: $("parcels-container").value,
			rule: $("parcels-rule").value,
			action: $("parcels-action").value,
			q: $("parcels-q").value.trim()
		};
		var h = parcelsHref(list.trainId, f);

		if (h !== location.hash)
			location.hash = h;
	}

	/* The first answer: the summary, the spacer, the rows in sight. */
	function drawList(r) {
		var sp = $("parcels-spacer");

		$("parcels-summary").textContent = r.parcels === 0 ?
		    RG.t("This train carries no parcel.") : list.total === 0 ?
		    RG.t("No parcel matches.") : list.total === r.parcels ?
		    RG.t("{n} parcels", { n: list.total }) :
		    RG.t("{n} of {total} parcels match", { n: list.total,
		    total: r.parcels });
		list.height = Math.min(list.total * ROW_H, MAX_SPACER_PX);
		sp.style.height = list.height + "px";
		$("parcels-scroll").scrollTop = 0;
		drawRows();
		document.body.setAttribute("data-rendered", "parcels");
		if (window.railgateParcelsMs === undefined)
			window.railgateParcelsMs = performance.now();
	}

	/*
	 * The rows in sight: from the scroll position (scaled when the list
	 * is taller than MAX_SPACER_PX), a few more each side; the chunks
	 * they need are asked for.
	 */
	function drawRows() {
		var sc = $("parcels-scroll"), box = $("parcels-rows"),
		    view = sc.clientHeight || 600, nvis = Math.ceil(view / ROW_H),
		    top = sc.scrollTop, base, first, last, i, k, frag, y;

		if (!list)
			return;
		if (list.total * ROW_H > list.height) {
			/* Scaled: the scroll fraction picks the first row. */
			base = Math.floor(top / Math.max(1, list.height - view) *
			    Math.max(0, list.total - nvis));
			first = Math.max(0, base - OVERSCAN);
			y = top - (base - first) * ROW_H;
		} else {
			first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
			y = first * ROW_H;
		}
		last = Math.min(list.total, first + nvis + 2 * OVERSCAN);
		for (i = first; i < last; i++)
			if (!list.rows[i]) {
				for (k = Math.floor(i / CHUNK); k * CHUNK < last; k++)
					loadChunk(k);
				break;
			}
		frag = document.createDocumentFragment();
		for (i = first; i < last; i++)
			frag.appendChild(rowOf(i, list.rows[i]));
		clear(box);
		box.appendChild(frag);
		box.style.transform = "translateY(" + Math.max(0, y) + "px)";
	}

	function cellOf(text, cls, title) {
		return el("span", { class: "pcell" + (cls ? " " + cls : ""),
		    text: text === null || text === undefined ? "" : text,
		    title: title });
	}

	/* Row i: its cells, or a placeholder while its chunk comes. */
	function rowOf(i, r) {
		var a, wagonLink;

		if (!r)
			return el("div", { class: "prow pending", "data-row": i },
			    cellOf(RG.t("loading\u2026")));
		a = r[COL.action];
		wagonLink = el("a", { href: "#/train/" + enc(list.trainId) +
		    "/wagon/" + enc(r[COL.wagon]), text: r[COL.wagon] });
		return el("div", { class: "prow" + (a && a !== "RELEASE" ?
		    " aside lane-row-" + (LANE_OF[a] || "unknown") : ""),
		    "data-row": i },
		    cellOf(r[COL.tracking], "ptrack"),
		    cellOf(r[COL.position], "num"),
		    el("span", { class: "pcell" }, wagonLink),
		    cellOf(r[COL.container]),
		    cellOf(r[COL.consignment]),
		    cellOf(r[COL.consignee], null, r[COL.consignee]),
		    cellOf(r[COL.value] === null ? "" : r[COL.value] + " " +
			(r[COL.currency] || ""), "num"),
		    cellOf(r[COL.hs]),
		    cellOf(r[COL.description], null, r[COL.description]),
		    cellOf(a ? RG.actionText(a) : RG.t("not decided yet"),
			"paction"),
		    cellOf(r[COL.rule]));
	}

	RG.renderParcelsPanel = renderParcelsPanel;
	RG.parcelsHref = parcelsHref;
	RG.addRoute(/^train\/([^/?]+)\/parcels(\?.*)?$/, function (m) {
		openParcels(m[1]);
	});
})();
