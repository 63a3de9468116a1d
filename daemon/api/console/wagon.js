/*
 * wagon.js -- a wagon on the console.
 *
 * On the train page, the panel of the wagon clicked in the strip: its
 * action, the officer's resolution or a proposed override, its hits and
 * the resolution form (POST /v1/trains/{id}/wagons/{wagon}/resolution),
 * with a link to the wagon's page.
 *
 * The wagon's page (#/train/ID/wagon/NUMBER; GET
 * /v1/trains/{id}/wagons/{wagon}): containers and seals, the hits most
 * severe first, consignments with their parties and screening, goods a
 * page at a time, declared documents, the events about the wagon with
 * who posted them, the neighbour's report; and the officer's evidence
 * forms -- a seal check, a scan, a re-weigh -- posted as events (POST
 * /v1/trains/{id}/events) as the signed-in officer.  After a post the
 * page polls each second until the new evaluation is stored, then shows
 * it.  The forms are built once per page and kept across redraws, so
 * what the officer types survives the polling.
 */
"use strict";

(function () {
	var RG = window.RG;
	var WAGON_POLL_MS = 5000, AWAIT_POLL_MS = 1000, AWAIT_MAX_MS = 60000,
	    GOODS_PAGE = 100;
	var state = RG.state, LANES = RG.LANES;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc, wagonAction = RG.wagonAction;
	var renderHits = RG.renderHits;
	var OFFICERS = ["officer", "supervisor"];

	/*
	 * The API's words (roles, results, conditions, event types) in the
	 * officer's language: each a literal for the catalogues, looked up
	 * when drawn (the language may change after the scripts load).
	 */
	var WORDS = {
		consignor: function () { return RG.t("consignor"); },
		consignee: function () { return RG.t("consignee"); },
		declarant: function () { return RG.t("declarant"); },
		carrier: function () { return RG.t("carrier"); },
		release: function () { return RG.t("release"); },
		inspect: function () { return RG.t("inspect"); },
		hold: function () { return RG.t("hold"); },
		refuse: function () { return RG.t("refuse"); },
		intact: function () { return RG.t("intact"); },
		damaged: function () { return RG.t("damaged"); },
		missing: function () { return RG.t("missing"); },
		clear: function () { return RG.t("clear"); },
		suspect: function () { return RG.t("suspect"); },
		weighbridge: function () { return RG.t("weighbridge"); },
		scan: function () { return RG.t("scan"); },
		seal_check: function () { return RG.t("seal check"); },
		neighbour: function () { return RG.t("neighbour"); },
		position: function () { return RG.t("position"); },
		arrived: function () { return RG.t("arrived"); },
		officer: function () { return RG.t("officer"); },
		supervisor: function () { return RG.t("supervisor"); },
		auditor: function () { return RG.t("auditor"); },
		operator: function () { return RG.t("operator"); },
		device: function () { return RG.t("device"); },
		admin: function () { return RG.t("admin"); },
		unknown: function () { return RG.t("unknown"); },
		inspected_clear: function () { return RG.t("inspected clear"); },
		scanned_clear: function () { return RG.t("scanned clear"); },
		scanned_suspect: function () { return RG.t("scanned suspect"); },
		seal_broken: function () { return RG.t("seal broken"); }
	};

	function word(x) {
		return Object.prototype.hasOwnProperty.call(WORDS, x) ? WORDS[x]() :
		    String(x === undefined || x === null ? "" : x);
	}

	/* ---- the panel on the train page ---- */

	function renderWagonDetail() {
		var panel = $("wagon-detail"), t = state.train.train, w = null, dw,
		    i, sel, reason, msg;

		if (!panel)
			return;
		clear(panel);
		for (i = 0; t.wagons && i < t.wagons.length; i++)
			if (t.wagons[i].position === state.selected)
				w = t.wagons[i];
		if (w === null) {
			panel.appendChild(el("p", { class: "hint",
			    text: RG.t("Click a wagon to see its hits and resolve it.") }));
			return;
		}
		dw = RG.decisionWagon(state.train.decision, w.position);
		panel.appendChild(el("h3", null, RG.t("Wagon {wagon} at position {position}", { wagon: w.wagon, position: w.position }) + " ",
		    el("span", { class: "badge lane-" +
		    (LANES[wagonAction(w)] || "unknown"), text: wagonAction(w) }),
		    " ", el("a", { id: "wagon-page-link", href: "#/train/" +
		    enc(state.trainId) + "/wagon/" + enc(w.wagon),
		    text: RG.t("Open the wagon's page: goods, parties, events, evidence") })));
		panel.appendChild(el("p", { text: RG.t("{containers} container(s), {items} item(s); decision: {action}", { containers: w.containers,
		    items: w.items, action: w.action }) + (w.resolution ? "; " +
		    RG.t("officer's resolution: {resolution}", { resolution:
		    w.resolution }) + (w.resolved_by ? " " + RG.t("by {name}",
		    { name: w.resolved_by }) : "") + (w.confirmed_by ? ", " +
		    RG.t("confirmed by {name}", { name: w.confirmed_by }) : "") :
		    "") }));
		if (w.override)
			panel.appendChild(el("p", { class: "pending", text:
			    RG.t("Override proposed by {name}: {action} ({reason}). It takes effect when another supervisor confirms it or approves the train.", { name: w.override.proposed_by,
			    action: w.override.action, reason: w.override.reason }) }));
		if (dw && dw.hits && dw.hits.length)
			panel.appendChild(renderHits(dw.hits));
		else
			panel.appendChild(el("p", { class: "hint",
			    text: RG.t("No hits on this wagon.") }));
		if (!RG.hasRole(OFFICERS))
			return;

		sel = el("select", { id: "resolve-action", name: "action" },
		    el("option", { value: "", text: RG.t("choose an action\u2026") }),
		    ["release", "inspect", "hold", "refuse"].map(function (a) {
			return el("option", { value: a, text: word(a) });
		    }));
		reason = el("input", { id: "resolve-reason", name: "reason",
		    type: "text", size: 50, required: true,
		    placeholder: RG.t("reason (the auditor reads it)") });
		msg = el("span", { id: "resolve-result", class: "status" });
		panel.appendChild(el("form", { id: "resolve-form", class: "noprint", hidden: !RG.hasRole(["officer", "supervisor"]),
		    onsubmit: function (ev) {
			ev.preventDefault();
			if (!sel.value) {	/* no default: the officer chooses */
				msg.textContent = RG.t("choose an action");
				return;
			}
			if (!reason.value.trim()) {
				msg.textContent = RG.t("a reason is required");
				return;
			}
			msg.textContent = RG.t("sending\u2026");
			api("POST", "/v1/trains/" + enc(state.trainId) + "/wagons/" +
			    enc(w.wagon) + "/resolution", { action: sel.value,
			    reason: reason.value.trim() }).then(function (r) {
				msg.textContent = "";
				reason.value = "";
				showError("");
				RG.flash(r.proposed ? RG.t("Wagon {wagon}: override proposed, {from} \u2192 {to}: it waits for a second supervisor to confirm it", { wagon: w.wagon,
				    from: r.previous, to: r.proposed }) :
				    RG.t("Wagon {wagon}: {from} \u2192 {to}",
				    { wagon: w.wagon, from: r.previous, to: r.action }));
				RG.loadTrain(state.trainId);
			}).catch(function (e) {
				msg.textContent = RG.t("refused");
				showError(e.message);
			});
		    } },
		    el("label", { for: "resolve-action", text: RG.t("Resolve:") }),
		    " ", sel, " ", reason, " ", el("button", { id: "resolve-submit",
		    type: "submit", text: RG.t("Resolve wagon") }), " ", msg));
	}

	/* ---- the wagon's page ---- */

	/* What the page shows: one wagon of one train. */
	var wp = {
		trainId: null,
		wagon: null,
		offset: 0,		/* the goods page shown */
		data: null,		/* the last answer */
		timer: null,
		awaiting: false,	/* evidence posted, evaluation not yet stored */
		awaitingSince: 0,
		formsFor: null		/* the equipment the forms were built for */
	};

	/* The page of another wagon of the same train. */
	function wagonHref(w) {
		return "#/train/" + enc(wp.trainId) + "/wagon/" + enc(w.number);
	}

	/* "[" and "]" walk along the train, unless the officer is typing. */
	document.addEventListener("keydown", function (ev) {
		var t = ev.target && ev.target.tagName, d = wp.data, to;

		if (state.view !== "wagon" || !d || ev.ctrlKey || ev.metaKey ||
		    ev.altKey || t === "INPUT" || t === "SELECT" ||
		    t === "TEXTAREA")
			return;
		to = ev.key === "[" ? d.previous_wagon : ev.key === "]" ?
		    d.next_wagon : null;
		if (to) {
			ev.preventDefault();
			location.hash = wagonHref(to);
		}
	});

	function wagonPath() {
		return "/v1/trains/" + enc(wp.trainId) + "/wagons/" + enc(wp.wagon);
	}

	function openWagon(trainId, wagon) {
		var root = $("wagon");

		RG.showView("wagon");
		if (wp.trainId !== trainId || wp.wagon !== wagon) {
			wp.trainId = trainId;
			wp.wagon = wagon;
			wp.offset = 0;
			wp.data = null;
			wp.awaiting = false;
			wp.formsFor = null;
			clear(root);
			root.appendChild(el("p", { class: "hint", text: RG.t(
			    "Loading wagon {wagon}\u2026", { wagon: wagon }) }));
		}
		loadWagon();
		schedule(WAGON_POLL_MS);
	}

	/* Polls every ms (each second while an evaluation is awaited). */
	function schedule(ms) {
		clearInterval(wp.timer);
		wp.timer = setInterval(function () {
			if (state.view !== "wagon") {
				clearInterval(wp.timer);
				return;
			}
			loadWagon();
		}, ms);
	}

	function loadWagon() {
		var id = wp.trainId, wagon = wp.wagon, asked = Date.now();

		return api("GET", wagonPath() + "?offset=" + wp.offset + "&limit=" +
		    GOODS_PAGE).then(function (d) {
			if (state.view !== "wagon" || wp.trainId !== id ||
			    wp.wagon !== wagon)
				return;
			var fresh = d.decision && d.decision.ruleset ?
			    { decision: d.decision } : null;
			wp.data = d;
			/* An answer asked for before the post says nothing of it. */
			if (wp.awaiting && !d.eval_needed &&
			    asked >= wp.awaitingSince) {
				wp.awaiting = false;
				schedule(WAGON_POLL_MS);
				evidenceStatus(RG.t("The new evaluation: wagon {action}, train {decision}.", { action:
				    currentAction(d), decision: d.decision ?
				    d.decision.outcome : "-" }));
			} else if (wp.awaiting && Date.now() - wp.awaitingSince >
			    AWAIT_MAX_MS) {
				/* Not a second poll forever: the usual pace. */
				wp.awaiting = false;
				schedule(WAGON_POLL_MS);
				evidenceStatus(RG.t("No new evaluation yet: the page shows it when it comes."));
			}
			if (fresh)
				return RG.fetchRuleset(fresh.decision).then(renderWagon);
			renderWagon();
		}).catch(function (e) {
			if (e.status === 404) {
				clear($("wagon"));
				$("wagon").appendChild(el("p", { class: "hint",
				    text: e.message }));
			}
			showError(e.message);
		});
	}

	/* The wagon's action now: an officer's resolution, else the decision. */
	function currentAction(d) {
		return d.wagon.resolution ? String(d.wagon.resolution).toUpperCase() :
		    d.wagon.action;
	}

	function num(v) {
		return v === undefined || v === null ? "" :
		    Number(v).toLocaleString("en-US");
	}

	/*
	 * The page's parts, drawn again from each answer; the evidence forms
	 * stay as they are (focus and what is typed survive the polling).
	 */
	function skeleton(root) {
		clear(root);
		root.appendChild(el("div", { id: "wagon-top" }));
		root.appendChild(el("div", { class: "wagon-cols" },
		    el("div", { id: "wagon-hits", class: "panel" }),
		    el("div", { id: "evidence", class: "panel noprint",
			hidden: !RG.hasRole(OFFICERS) })));
		root.appendChild(el("div", { id: "wagon-rest" }));
	}

	function renderWagon() {
		var d = wp.data, root = $("wagon"), top, hits, rest,
		    dh = d && d.decision && d.decision.wagon ?
		    d.decision.wagon.hits : null;

		if (!d)
			return;
		if (!$("wagon-rest"))
			skeleton(root);
		top = $("wagon-top");
		hits = $("wagon-hits");
		rest = $("wagon-rest");
		/* Who is signed in may be known only now (RG.me). */
		$("evidence").hidden = !RG.hasRole(OFFICERS);
		clear(top);
		top.appendChild(el("p", { class: "noprint wagon-nav" },
		    el("a", { id: "wagon-train-link", href: "#/train/" +
		    enc(wp.trainId) }, "\u2190 " + RG.t("train {train}",
		    { train: d.train + "@" + d.run })), " ",
		    d.previous_wagon ? el("a", { id: "wagon-prev", href:
			wagonHref(d.previous_wagon), title: RG.t("key: [") },
			RG.t("\u2039 wagon {position}", { position:
			d.previous_wagon.position })) : null, " ",
		    d.next_wagon ? el("a", { id: "wagon-next", href:
			wagonHref(d.next_wagon), title: RG.t("key: ]") },
			RG.t("wagon {position} \u203a", { position:
			d.next_wagon.position })) : null));
		top.appendChild(renderHead(d));
		clear(hits);
		hits.appendChild(el("h3", { text: RG.t("Hits, most severe first") }));
		hits.appendChild(dh && dh.length ? renderHits(dh) : el("p",
		    { class: "hint", text: d.decision ?
		    RG.t("No hits on this wagon.") : RG.t("Not decided yet.") }));
		refreshForms(d);
		clear(rest);
		rest.appendChild(renderContainers(d.wagon));
		rest.appendChild(renderConsignments(d));
		rest.appendChild(renderGoods(d.goods));
		rest.appendChild(renderDocuments(d.documents));
		rest.appendChild(renderEvents(d));
		rest.appendChild(renderNeighbour(d.neighbour));
		document.body.setAttribute("data-rendered", "wagon");
	}

	function renderHead(d) {
		var w = d.wagon, a = currentAction(d), dec = d.decision, seals;

		seals = (w.seals || []).map(function (s) {
			return s.number + " (" + s.sealed_by + ", " + s.condition + ")";
		}).join(", ");
		return el("div", null,
		    el("h2", null, RG.t("Wagon {wagon}", { wagon: w.number }) + " ",
			el("span", { class: "run", text: RG.t("position {position}",
			    { position: w.position }) }), " ",
			el("span", { id: "wagon-action", class: "badge lane-" +
			    (LANES[a] || "unknown"), "data-action": a, text: a }),
			d.eval_needed ? el("span", { id: "wagon-evaluating",
			    class: "badge", text: RG.t("evaluating\u2026") }) : null),
		    el("dl", { class: "facts" },
			el("dt", { text: RG.t("Train decision") }),
			el("dd", null, dec ? el("span", { id: "wagon-train-decision",
			    class: "badge decision-" + dec.outcome, "data-decision":
			    dec.outcome, text: dec.outcome + " " + (dec.final ?
			    RG.t("(final)") : RG.t("(provisional)")) }) :
			    el("span", { id: "wagon-train-decision", text:
			    RG.t("not decided yet") })),
			el("dt", { text: RG.t("Decision for this wagon") }),
			el("dd", { text: (w.action || "") + (w.rules_action &&
			    w.rules_action !== w.action ? " " + RG.t("(rules: {action})", { action: w.rules_action }) : "") +
			    (w.resolution ? "; " + RG.t("officer's resolution: {resolution}", { resolution: w.resolution }) +
			    (w.resolved_by ? " " + RG.t("by {name}", { name:
			    w.resolved_by }) : "") : "") }),
			w.override ? el("dt", { text: RG.t("Override proposed") }) :
			    null,
			w.override ? el("dd", { class: "pending", text:
			    RG.t("{action} by {name}: {reason}", { action:
			    w.override.action, name: w.override.proposed_by,
			    reason: w.override.reason }) }) : null,
			el("dt", { text: RG.t("Type / tare") }),
			el("dd", { text: (w.type || "?") + " / " + (w.tare_kg !==
			    undefined ? num(w.tare_kg) + " kg" : "?") }),
			el("dt", { text: RG.t("Wagon seals") }),
			el("dd", { text: seals || RG.t("none declared") })));
	}

	function sealsText(seals) {
		return (seals || []).map(function (s) {
			return s.number + " (" + s.sealed_by + ", " + s.condition + ")";
		}).join(", ");
	}

	function renderContainers(w) {
		var cs = w.containers || [];

		return el("div", { class: "panel" },
		    el("h3", { text: RG.t("Containers ({n})", { n: cs.length }) }),
		    cs.length === 0 ? el("p", { class: "hint", text:
			RG.t("No container: goods loaded on the wagon itself.") }) :
		    el("table", { id: "wagon-containers", class: "grid" },
			el("thead", null, el("tr", null,
			    el("th", { text: RG.t("Container") }),
			    el("th", { text: RG.t("Size/type") }),
			    el("th", { text: RG.t("Full") }),
			    el("th", { class: "num", text: RG.t("Gross kg") }),
			    el("th", { text: RG.t("Seals declared") }))),
			el("tbody", null, cs.map(function (c) {
			    return el("tr", null, el("td", { text: c.number }),
				el("td", { text: c.size_type || "" }),
				el("td", { text: c.full ? RG.t("yes") : RG.t("empty") }),
				el("td", { class: "num", text: num(c.gross_kg) }),
				el("td", { text: sealsText(c.seals) ||
				    RG.t("none declared") }));
			}))));
	}

	function partyText(p) {
		return [p.name, p.id, p.country, p.aeo ? "AEO " + p.aeo : null]
		    .filter(function (x) { return x; }).join(", ");
	}

	function renderConsignments(d) {
		var cs = d.consignments || [];

		return el("div", { class: "panel" },
		    el("h3", { text: RG.t("Consignments and parties ({n})",
			{ n: d.consignments_total }) }),
		    el("table", { id: "wagon-parties", class: "grid" },
			el("thead", null, el("tr", null,
			    el("th", { text: RG.t("Consignment") }),
			    el("th", { text: RG.t("Party") }),
			    el("th", { text: RG.t("Name, id, country") }),
			    el("th", { text: RG.t("Screening") }))),
			el("tbody", null, [].concat.apply([], cs.map(function (c) {
			    var parties = c.parties || [];

			    return parties.map(function (p, i) {
				var hit = p.screening && p.screening.result === "hit";

				return el("tr", { class: hit ? "screen-hit" : null },
				    i === 0 ? el("td", { rowspan: parties.length,
					text: (c.ref || "?") + " \u2014 " + c.procedure +
					(c.value !== undefined ? ", " + num(c.value) +
					" " + (c.currency || "") : "") + "; " +
					RG.t("{n} of its {total} goods items on this wagon", { n: c.items_on_wagon, total: c.items }) }) :
					null,
				    el("td", { text: word(p.role) }),
				    el("td", { class: "party-name", text: partyText(p) }),
				    el("td", { class: "screening", "data-result":
					p.screening ? p.screening.result : "",
					text: hit ? RG.t("hit") + ": " + p.screening.hits.map(
					function (h) { return h.action + " " + h.reason; })
					.join("; ") : RG.t("no hit") }));
			    });
			})))),
		    cs.length < d.consignments_total ? el("p", { class: "hint",
			text: RG.t("Showing the first {n} consignments.",
			{ n: cs.length }) }) : null);
	}

	function renderGoods(g) {
		var from = g.items.length ? g.offset + 1 : 0,
		    to = g.offset + g.items.length;

		return el("div", { class: "panel" },
		    el("h3", null, RG.t("Goods ({total} items)", { total: g.total }),
			" ", el("span", { id: "goods-range", class: "status",
			text: RG.t("showing {from}\u2013{to}", { from: from,
			to: to }) })),
		    el("table", { id: "wagon-goods", class: "grid" },
			el("thead", null, el("tr", null,
			    el("th", { text: RG.t("Consignment") }),
			    el("th", { class: "num", text: RG.t("Item") }),
			    el("th", { text: RG.t("HS code") }),
			    el("th", { text: RG.t("Description") }),
			    el("th", { class: "num", text: RG.t("Packages") }),
			    el("th", { class: "num", text: RG.t("Gross kg") }),
			    el("th", { class: "num", text: RG.t("Value") }),
			    el("th", { text: RG.t("Origin") }),
			    el("th", { text: RG.t("Documents") }))),
			el("tbody", null, g.items.map(function (it) {
			    return el("tr", null,
				el("td", { text: it.consignment || "" }),
				el("td", { class: "num", text: it.seq }),
				el("td", { class: "hs", text: it.hs || "" }),
				el("td", { text: it.description || "" }),
				el("td", { class: "num", text: it.packages !==
				    undefined ? num(it.packages) + " " +
				    (it.package_type || "") : "" }),
				el("td", { class: "num", text: num(it.gross_kg) }),
				el("td", { class: "num value", text: it.value !==
				    undefined ? num(it.value) + " " +
				    (it.currency || "") : "" }),
				el("td", { class: "origin", text: it.origin || "" }),
				el("td", { text: (it.documents || []).map(function (x) {
				    return x.type + (x.id ? " " + x.id : "");
				}).join(", ") }));
			}))),
		    g.total > g.limit ? el("p", { class: "noprint" },
			el("button", { id: "goods-prev", type: "button",
			    disabled: g.offset === 0, text: RG.t("\u2190 previous"),
			    onclick: function () { goodsPage(-1); } }), " ",
			el("button", { id: "goods-next", type: "button",
			    disabled: to >= g.total, text: RG.t("next \u2192"),
			    onclick: function () { goodsPage(1); } })) : null);
	}

	function goodsPage(dir) {
		wp.offset = Math.max(0, wp.offset + dir * GOODS_PAGE);
		loadWagon();
	}

	function renderDocuments(docs) {
		var items = docs ? docs.items : [];

		return el("div", { class: "panel" },
		    el("h3", { text: RG.t("Declared documents ({n})",
			{ n: items.length }) }),
		    items.length === 0 ? el("p", { class: "hint",
			text: RG.t("No document declared for these goods.") }) :
		    el("ul", { id: "wagon-documents", class: "plain" },
			items.map(function (x) {
			    return el("li", { text: x.type + " " + (x.id || "") +
				" \u2014 " + RG.t("{n} goods item(s)", { n: x.goods }) });
			})),
		    docs && docs.more ? el("p", { class: "hint", text:
			RG.t("More documents than shown.") }) : null);
	}

	/* An event's body in a line. */
	function eventText(e) {
		var b = e.body || {};

		switch (e.type) {
		case "weighbridge":
			return RG.t("gross {kg} kg", { kg: num(b.gross_kg) }) +
			    (b.reweigh ? " (" + RG.t("re-weigh") + ")" : "");
		case "scan":
			return (b.container || b.wagon || "") + ": " + word(b.result);
		case "seal_check":
			return RG.t("{equipment}: seal {seal} {condition}", {
			    equipment: b.equipment, seal: b.seal,
			    condition: word(b.condition) });
		default:
			return JSON.stringify(b);
		}
	}

	function renderEvents(d) {
		var evs = (d.events || []).slice().reverse();

		return el("div", { class: "panel" },
		    el("h3", { text: RG.t("Events about this wagon ({n})",
			{ n: d.events_total }) }),
		    evs.length === 0 ? el("p", { class: "hint",
			text: RG.t("No event yet.") }) :
		    el("table", { id: "wagon-events", class: "grid" },
			el("thead", null, el("tr", null,
			    el("th", { text: RG.t("When") }),
			    el("th", { text: RG.t("Event") }),
			    el("th", { text: RG.t("What") }),
			    el("th", { text: RG.t("Posted by") }))),
			el("tbody", null, evs.map(function (e) {
			    var a = e.author || {};

			    return el("tr", { "data-type": e.type },
				el("td", { text: RG.timeText(e.at) }),
				el("td", { text: word(e.type) }),
				el("td", { text: eventText(e) }),
				el("td", { class: "author", text: (a.name || "?") +
				    " (" + word(a.role || "unknown") + ")" +
				    (a.device ? ", " + a.device : "") }));
			}))));
	}

	function renderNeighbour(reports) {
		return el("div", { class: "panel" },
		    el("h3", { text: RG.t("The neighbouring customs' report") }),
		    !reports || reports.length === 0 ? el("p", { class: "hint",
			text: RG.t("Nothing reported on this wagon.") }) :
		    el("ul", { id: "wagon-neighbour", class: "plain" },
			reports.map(function (r) {
			    var p = r.report || {}, parts = [];

			    if (p.decision)
				parts.push(RG.t("decision {decision}",
				    { decision: p.decision }));
			    (p.seals || []).forEach(function (s) {
				parts.push(RG.t("seal {seal} on {equipment}",
				    { seal: s.number, equipment: s.equipment }));
			    });
			    (p.controls || []).forEach(function (c) {
				parts.push(c.equipment + ": " + word(c.result));
			    });
			    (p.set_out || []).forEach(function (o) {
				parts.push(RG.t("set out: {action}",
				    { action: o.action }));
			    });
			    return el("li", null, el("time", { text:
				RG.timeText(r.at) }), " ", (p.service ||
				(r.author && r.author.name) || "") + ": " +
				(parts.join("; ") || RG.t("nothing on this wagon")));
			})));
	}

	/* ---- evidence: seal check, scan, re-weigh ---- */

	function evidenceStatus(text) {
		var s = $("evidence-result");

		if (s)
			s.textContent = text;
	}

	/* The wagon and its containers, for the forms' equipment lists. */
	function equipmentOf(w) {
		return [{ number: w.number, kind: "wagon", seals: w.seals || [] }]
		    .concat((w.containers || []).map(function (c) {
			return { number: c.number, kind: "container",
			    seals: c.seals || [] };
		    }));
	}

	function equipmentSelect(id, list) {
		return el("select", { id: id }, list.map(function (e) {
			return el("option", { value: e.number, "data-kind": e.kind,
			    text: (e.kind === "wagon" ? RG.t("wagon") :
			    RG.t("container")) + " " + e.number });
		}));
	}

	/* Posts one event; the result line says what happened. */
	function postEvidence(body, done) {
		evidenceStatus(RG.t("sending\u2026"));
		return api("POST", "/v1/trains/" + enc(wp.trainId) + "/events",
		    body).then(function () {
			showError("");
			wp.awaiting = true;
			wp.awaitingSince = Date.now();
			evidenceStatus(RG.t("Recorded. Waiting for the new evaluation\u2026"));
			if (done)
				done();
			schedule(AWAIT_POLL_MS);
			loadWagon();
		}).catch(function (e) {
			evidenceStatus(RG.t("refused"));
			showError(e.message);
		});
	}

	/* (Re)builds the forms when the wagon's equipment is not the same. */
	function refreshForms(d) {
		var box = $("evidence"), eq = equipmentOf(d.wagon),
		    key = eq.map(function (e) { return e.number; }).join(" ");

		if (!box || box.hidden || wp.formsFor === key)
			return;
		wp.formsFor = key;
		clear(box);
		box.appendChild(el("h3", { text: RG.t("Record evidence") }));
		box.appendChild(el("p", { id: "evidence-result", class: "status" }));
		box.appendChild(sealForm(eq));
		box.appendChild(scanForm(eq));
		box.appendChild(reweighForm(d.wagon));
	}

	function sealForm(eq) {
		var equip = equipmentSelect("seal-equipment", eq),
		    seal = el("input", { id: "seal-number", type: "text", size: 16,
			required: true, placeholder: RG.t("seal number found") }),
		    cond = el("select", { id: "seal-condition" },
			["intact", "damaged", "missing"].map(function (c) {
			    return el("option", { value: c, text: word(c) });
			}));

		/* The declared seal as a start: the officer corrects it. */
		function fill() {
			var e = eq.filter(function (x) {
				return x.number === equip.value;
			})[0];

			seal.value = e && e.seals.length ? e.seals[0].number : "";
		}
		equip.addEventListener("change", fill);
		fill();
		return el("form", { id: "seal-form", class: "evidence-form",
		    onsubmit: function (ev) {
			ev.preventDefault();
			if (!seal.value.trim()) {
				evidenceStatus(RG.t("the seal's number is required"));
				return;
			}
			postEvidence({ type: "seal_check", equipment: equip.value,
			    seal: seal.value.trim(), condition: cond.value });
		    } },
		    el("strong", { text: RG.t("Seal check") }), " ", equip, " ",
		    el("label", { for: "seal-number", text: RG.t("seal") }), " ",
		    seal, " ", cond, " ",
		    el("button", { id: "seal-submit", type: "submit",
			text: RG.t("Record seal check") }));
	}

	function scanForm(eq) {
		var equip = equipmentSelect("scan-equipment", eq),
		    result = el("select", { id: "scan-result" },
			["clear", "suspect"].map(function (r) {
			    return el("option", { value: r, text: word(r) });
			}));

		return el("form", { id: "scan-form", class: "evidence-form",
		    onsubmit: function (ev) {
			var body = { type: "scan", result: result.value },
			    opt = equip.options[equip.selectedIndex];

			ev.preventDefault();
			body[opt.getAttribute("data-kind")] = equip.value;
			postEvidence(body);
		    } },
		    el("strong", { text: RG.t("Scan") }), " ", equip, " ", result,
		    " ", el("button", { id: "scan-submit", type: "submit",
			text: RG.t("Record scan") }));
	}

	function reweighForm(w) {
		var kg = el("input", { id: "reweigh-kg", type: "number", min: 1,
		    step: "0.001", required: true, placeholder: RG.t("gross kg") });

		return el("form", { id: "reweigh-form", class: "evidence-form",
		    onsubmit: function (ev) {
			var v = Number(kg.value);

			ev.preventDefault();
			if (!(v > 0)) {
				evidenceStatus(RG.t("the gross mass is a number of kg"));
				return;
			}
			postEvidence({ type: "weighbridge", wagon: w.number,
			    gross_kg: v, reweigh: true }, function () {
				kg.value = "";
			});
		    } },
		    el("strong", { text: RG.t("Re-weigh") }), " ", kg, " kg ",
		    el("button", { id: "reweigh-submit", type: "submit",
			text: RG.t("Record re-weigh") }));
	}

	/* A pushed change naming this train: draw the page again. */
	RG.subscribe(function (msg) {
		if (state.view === "wagon" && wp.trainId && msg && msg.train &&
		    String(wp.trainId).split("@")[0] === msg.train)
			loadWagon();
	});

	RG.word = word;
	RG.renderWagonDetail = renderWagonDetail;
	RG.openWagon = openWagon;
	RG.addRoute(/^train\/([^/]+)\/wagon\/([^/]+)$/, function (m) {
		openWagon(m[1], m[2]);
	});
})();
