/*
 * train.js -- one train's page (#/train/ID): the decision with its
 * one-line why, the counts per lane, the strip of wagons (a 55-wagon
 * train fits 1,400 px; arrow keys move between wagons, Enter opens one,
 * Space picks it for a resolution at once -- bulk.js), the hits by rule,
 * most severe first, a wagon's panel (wagon.js), train-level hits,
 * approval (approval.js), the timeline and the notices.  It reads the
 * per-wagon summary and the decision, never the items, so a train of a
 * million items opens as fast as one of five.
 */
"use strict";

(function () {
	var RG = window.RG;
	var TRAIN_POLL_MS = 5000;
	var state = RG.state, LANES = RG.LANES, SET_OUT = RG.SET_OUT;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc, trainKey = RG.trainKey,
	    clockText = RG.clockText, timeText = RG.timeText,
	    routeText = RG.routeText, countdown = RG.countdown,
	    showView = RG.showView, wagonAction = RG.wagonAction;

	function openTrain(id) {
		showView("train");
		if (state.trainId !== id) {
			state.selected = null;
			state.stripFocus = null;
			clear($("train"));
			$("train").appendChild(el("p", { class: "hint",
			    text: RG.t("Loading train {id}\u2026", { id: id }) }));
		}
		RG.resetPicks(id);
		state.trainId = id;
		loadTrain(id);
		/* Polled only while pushed changes do not arrive (stream.js). */
		state.trainTimer = setInterval(function () {
			if (!RG.streamUp || !RG.streamUp())
				loadTrain(id, true);
		}, TRAIN_POLL_MS);
		state.tickTimer = setInterval(tickTrain, 1000);
	}

	/* The train, its decision, audit trail and notices, all at once. */
	function fetchTrain(id) {
		var p = "/v1/trains/" + enc(id);

		return Promise.all([
			api("GET", p),
			api("GET", p + "/decision").catch(function (e) {
				if (e.status === 404)
					return null;	/* not decided yet */
				throw e;
			}),
			api("GET", p + "/audit"),
			api("GET", p + "/notices")
		]).then(function (r) {
			var data = { id: id, train: r[0], decision: r[1],
			    audit: r[2] || [], notices: r[3] || [],
			    fetchedAt: Date.now() };

			return RG.fetchRuleset(data.decision).then(function () {
				return data;
			});
		});
	}

	function loadTrain(id, quiet) {
		return fetchTrain(id).then(function (data) {
			if (state.view !== "train" || state.trainId !== id)
				return;
			state.train = data;
			if (!quiet)
				showError("");
			renderTrain();
		}).catch(function (e) {
			showError(e.message);
		});
	}

	/* The decision document's wagon at position pos, or null. */
	function decisionWagon(d, pos) {
		var i;

		for (i = 0; d && d.wagons && i < d.wagons.length; i++)
			if (d.wagons[i].position === pos)
				return d.wagons[i];
		return null;
	}

	function renderTrain() {
		var data = state.train, t = data.train, d = data.decision,
		    root = $("train"), c = t.counts || {}, cd = countdown(t.clock,
		    data.fetchedAt);

		var kept = keepInputs(), focus = stripFocus();

		clear(root);
		root.appendChild(el("p", { class: "noprint" },
		    el("a", { href: "#/" }, RG.t("\u2190 all trains"))));
		root.appendChild(el("h2", null, RG.t("Train {train}", { train: t.train }),
		    " ", el("span", { class: "run", text: RG.t("run {run}",
			{ run: t.run }) }),
		    t.green_lane ? el("span", { class: "badge lane-green",
			text: RG.t("green lane") }) : null,
		    d ? el("span", { id: "train-decision", class: "badge decision-" +
			d.decision, text: d.decision + " " + (d.final ?
			RG.t("(final)") : RG.t("(provisional)")) }) :
			el("span", { class: "badge", text: RG.t("not decided yet") })));
		if (d)
			root.appendChild(el("p", { id: "decision-why", class: "why",
			    text: decisionWhy(d) }));
		root.appendChild(el("dl", { class: "facts" },
		    el("dt", { text: RG.t("Route") }), el("dd", {
			text: RG.t("{route} via {station}", { route: routeText(t),
			station: t.border_station || "?" }) }),
		    el("dt", { text: RG.t("Direction") }), el("dd", {
			text: t.direction }),
		    el("dt", { text: RG.t("State") }), el("dd", { id: "train-state",
			text: t.state }),
		    el("dt", { text: RG.t("ETA / arrived") }), el("dd", {
			text: timeText(t.eta) + (t.ata ? " / " + timeText(t.ata) : "") }),
		    el("dt", { text: RG.t("Wagons / containers / items") }),
		    el("dd", { text: c.wagons + " / " + c.containers + " / " +
			c.items }),
		    el("dt", { text: RG.t("Clearance clock") }), el("dd", {
			id: "train-clock", class: "clock " + cd.cls, text: cd.text }),
		    RG.arrivalFacts(t.clock)));
		root.appendChild(renderLaneCounts(t));
		root.appendChild(renderStrip(t));
		root.appendChild(RG.renderBulk(t));
		if (d)
			root.appendChild(renderHitSummary(d));
		if (d && d.parcels)	/* parcels.js */
			root.appendChild(RG.renderParcelsPanel(d, data.id));
		root.appendChild(el("div", { id: "wagon-detail", class: "panel" }));
		RG.renderWagonDetail();
		if (d && d.train_hits && d.train_hits.length)
			root.appendChild(el("div", { id: "train-hits",
			    class: "panel" }, el("h3", { text: RG.t("Train-level hits") }),
			    RG.renderTrainHits(d.train_hits, t)));
		var cleared = RG.renderCleared ? RG.renderCleared(t) : null;

		if (cleared)	/* screening.js */
			root.appendChild(cleared);
		root.appendChild(RG.renderTake(t));	/* take.js */
		root.appendChild(RG.renderAmendments(t));	/* amend.js */
		root.appendChild(RG.renderApprove(t, d));
		root.appendChild(renderTimeline(data.audit));
		root.appendChild(renderNotices(data.notices));
		restoreInputs(kept);
		restoreStripFocus(focus);
		document.body.setAttribute("data-rendered", "train");
		if (window.railgateRenderedMs === undefined)
			window.railgateRenderedMs = performance.now();
	}

	var RANK = { RELEASE: 0, AUDIT: 1, DOC_CHECK: 2, INSPECT: 3, HOLD: 4,
	    REFUSE: 5 };

	/* Most severe first; anything unknown counts as the most severe. */
	function rankOf(a) {
		return RANK[a] === undefined ? 6 : RANK[a];
	}

	/*
	 * The decision's one-line why, from its document: the train-level
	 * hits (any holds the train), the wagons set out, released and still
	 * waiting for a document check.
	 */
	function decisionWhy(d) {
		var ws = d.wagons || [], th = (d.train_hits || []).slice(),
		    n = { total: ws.length, released: 0, audit: 0, setout: 0,
		    doc: 0 }, parts = [], rules = [];

		ws.forEach(function (w) {
			if (w.action === "RELEASE")
				n.released++;
			else if (w.action === "AUDIT")
				n.audit++;
			else if (w.action === "DOC_CHECK")
				n.doc++;
			else
				n.setout++;
		});
		th.sort(function (a, b) { return rankOf(b.action) - rankOf(a.action); });
		th.forEach(function (h) {
			if (rules.indexOf(h.rule) < 0)
				rules.push(h.rule);
		});
		if (th.length > 0)
			parts.push(th.length === 1 ?
			    RG.t("1 train-level hit ({rules})", { rules: rules.join(", ") }) :
			    RG.t("{n} train-level hits ({rules})", { n: th.length,
				rules: rules.join(", ") }));
		if (d.decision === "RELEASE")
			parts.push(RG.t("all {n} wagons released", { n: n.total }));
		else if (n.released + n.audit > 0)
			parts.push(RG.t("{r} of {n} wagons released", {
			    r: n.released + n.audit, n: n.total }));
		else if (th.length === 0)
			parts.push(RG.t("no wagon can be released"));
		if (n.audit > 0)
			parts.push(RG.t("{n} with a post-clearance audit", { n: n.audit }));
		if (n.setout > 0)
			parts.push(n.setout === 1 ? RG.t("1 wagon set out") :
			    RG.t("{n} wagons set out", { n: n.setout }));
		if (n.doc > 0)
			parts.push(n.doc === 1 ?
			    RG.t("1 wagon waits for a document check") :
			    RG.t("{n} wagons wait for a document check", { n: n.doc }));
		return RG.t("{decision}: {why}", { decision: d.decision,
		    why: parts.join("; ") });
	}

	/* How many wagons are in each lane now (resolutions included). */
	function renderLaneCounts(t) {
		var n = {}, ws = t.wagons || [];

		ws.forEach(function (w) {
			var a = wagonAction(w);

			n[a] = (n[a] || 0) + 1;
		});
		return el("p", { id: "lane-counts", class: "lane-counts" },
		    el("span", { class: "total", text: RG.t("{n} wagons:",
			{ n: ws.length }) }),
		    Object.keys(LANES).map(function (a) {
			return el("span", { class: "key lane-" + LANES[a] +
			    (n[a] ? "" : " none"), "data-lane": a,
			    "data-count": n[a] || 0, text: RG.t("{action} {n}",
			    { action: a, n: n[a] || 0 }) });
		    }));
	}

	/*
	 * Every hit of the decision grouped by rule and action, the most
	 * severe first (then the most wagons): what holds the train at a
	 * glance, with the wagons of a rule picked for a resolution at once.
	 */
	function renderHitSummary(d) {
		var groups = {}, list = [];

		function add(h, w) {
			var k = h.action + "\u0000" + h.rule, g = groups[k];

			if (!g) {
				g = groups[k] = { action: h.action, rule: h.rule,
				    reason: h.reason, wagons: [], train: 0 };
				list.push(g);
			}
			if (w && g.wagons.indexOf(w.position) < 0)
				g.wagons.push(w.position);
			else if (!w)
				g.train++;
		}
		(d.wagons || []).forEach(function (w) {
			(w.hits || []).forEach(function (h) { add(h, w); });
		});
		(d.train_hits || []).forEach(function (h) { add(h, null); });
		list.sort(function (a, b) {
			return rankOf(b.action) - rankOf(a.action) ||
			    (b.wagons.length + b.train) - (a.wagons.length + a.train) ||
			    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0);
		});
		if (list.length === 0)
			return el("p", { id: "hit-summary", class: "hint",
			    text: RG.t("No rule hit this train.") });
		return el("div", { class: "panel" },
		    el("h3", { text: RG.t("Hits by rule, most severe first") }),
		    el("table", { id: "hit-summary", class: "hit-summary" },
			el("tbody", null, list.map(function (g, i) {
			    return el("tr", { "data-action": g.action,
				"data-rule": g.rule },
				el("td", null, el("span", { class: "badge lane-" +
				    (LANES[g.action] || "unknown"), text: g.action })),
				el("td", { class: "rule", text: g.rule }),
				el("td", { text: g.train > 0 ? RG.t("train") :
				    g.wagons.length === 1 ? RG.t("1 wagon") :
				    RG.t("{n} wagons", { n: g.wagons.length }) }),
				el("td", { class: "reason", text: g.reason }),
				el("td", { class: "noprint" }, g.wagons.length > 0 &&
				    RG.hasRole(["officer", "supervisor"]) ?
				    el("button", { type: "button", id: "pick-rule-" + i,
					onclick: function () {
					    RG.pickPositions(g.wagons);
					} }, RG.t("select these wagons")) : null));
			}))));
	}

	/*
	 * What the officer is typing, kept across a redraw (the page polls
	 * every few seconds): the forms' values and the focused field.
	 */
	var KEPT_INPUTS = ["resolve-action", "resolve-reason", "approve-reason",
	    "bulk-action", "bulk-reason"];

	/* The fixed forms' fields and those of the goods forms (data-kept). */
	function keptIds() {
		return KEPT_INPUTS.concat(Array.prototype.map.call(
		    document.querySelectorAll("[data-kept]"), function (e) {
			return e.id;
		    }));
	}

	function keepInputs() {
		var kept = { values: {}, focus: document.activeElement ?
		    document.activeElement.id : null };

		keptIds().forEach(function (id) {
			if ($(id))
				kept.values[id] = $(id).value;
		});
		return kept;
	}

	function restoreInputs(kept) {
		var ids = keptIds();

		ids.forEach(function (id) {
			if ($(id) && kept.values[id] !== undefined)
				$(id).value = kept.values[id];
		});
		if (kept.focus && $(kept.focus) && ids.indexOf(kept.focus) >= 0)
			$(kept.focus).focus();
	}

	function tickTrain() {
		var cell = $("train-clock"), cd;

		if (!cell || !state.train)
			return;
		cd = countdown(state.train.train.clock, state.train.fetchedAt);
		cell.textContent = cd.text;
		cell.className = "clock " + cd.cls;
	}

	/* Past this many wagons the strip is dense: numbers on hover only. */
	var DENSE_WAGONS = 19;

	/* Opens the wagon at pos in the wagon's panel. */
	function openWagon(pos) {
		var strip = $("strip");

		state.selected = pos;
		if (strip)
			Array.prototype.forEach.call(strip.querySelectorAll(".wagon"),
			    function (b) {
				b.classList.toggle("selected",
				    b.getAttribute("data-position") === String(pos));
			    });
		RG.renderWagonDetail();
	}

	/* The position of the strip's wagon that has the focus, or null. */
	function stripFocus() {
		var a = document.activeElement;

		return a && a.classList && a.classList.contains("wagon") &&
		    a.parentNode && a.parentNode.id === "strip" ?
		    a.getAttribute("data-position") : null;
	}

	function restoreStripFocus(pos) {
		var b = pos !== null ? document.querySelector(
		    "#strip .wagon[data-position='" + pos + "']") : null;

		if (b)
			b.focus();
	}

	/* The wagon at pos becomes the strip's one stop in the tab order. */
	function setTabbed(pos) {
		state.stripFocus = pos;
		Array.prototype.forEach.call(document.querySelectorAll(
		    "#strip .wagon"), function (b) {
			b.setAttribute("tabindex", b.getAttribute("data-position") ===
			    String(pos) ? "0" : "-1");
		});
	}

	/*
	 * The keys of the strip: arrows move between wagons (Shift picks the
	 * wagon moved to as well), Home and End to the ends, Enter opens the
	 * wagon, Space picks it.
	 */
	function stripKey(ev) {
		var b = ev.target, all, i, to = null;

		if (!b.classList || !b.classList.contains("wagon"))
			return;
		all = Array.prototype.slice.call(
		    $("strip").querySelectorAll(".wagon"));
		i = all.indexOf(b);
		switch (ev.key) {
		case "ArrowRight": case "ArrowDown":
			to = all[Math.min(i + 1, all.length - 1)];
			break;
		case "ArrowLeft": case "ArrowUp":
			to = all[Math.max(i - 1, 0)];
			break;
		case "Home":
			to = all[0];
			break;
		case "End":
			to = all[all.length - 1];
			break;
		case "Enter":
			ev.preventDefault();
			openWagon(Number(b.getAttribute("data-position")));
			return;
		case " ": case "Spacebar":
			ev.preventDefault();
			RG.togglePick(Number(b.getAttribute("data-position")));
			return;
		default:
			return;
		}
		ev.preventDefault();
		setTabbed(Number(to.getAttribute("data-position")));
		to.focus();
		if (ev.shiftKey)
			RG.pickPositions([Number(to.getAttribute("data-position"))]);
	}

	/* What a wagon's box says on hover (a dense strip shows no more). */
	function wagonTitle(w, a) {
		var p = { pos: w.position, wagon: w.wagon, action: a,
		    resolution: w.resolution, decision: w.action };

		return w.resolution ?
		    RG.t("position {pos}, wagon {wagon}: {action} (officer: {resolution}, decision {decision})", p) :
		    RG.t("position {pos}, wagon {wagon}: {action}", p);
	}

	/* The wagons in train order, behind a locomotive. */
	function renderStrip(t) {
		var wagons = (t.wagons || []).slice().sort(function (a, b) {
			return a.position - b.position;
		});
		var strip = el("div", { id: "strip", class: "strip" +
		    (wagons.length > DENSE_WAGONS ? " dense" : ""),
		    role: "listbox", "aria-multiselectable": "true",
		    "aria-label": RG.t("wagons in train order") },
		    el("div", { class: "loco", title: RG.t("locomotive") },
			RG.t("\u25C0 loco")));

		/* Tab reaches one wagon (the last moved to); arrows the others. */
		var tabbed = wagons.some(function (w) {
			return w.position === state.stripFocus;
		}) ? state.stripFocus : wagons.length ? wagons[0].position : null;

		wagons.forEach(function (w) {
			var a = wagonAction(w), lane = LANES[a] || "unknown";

			strip.appendChild(el("button", {
			    type: "button", role: "option",
			    class: "wagon lane-" + lane +
				(state.selected === w.position ? " selected" : "") +
				(RG.isPicked(w.position) ? " picked" : "") +
				(w.resolution ? " resolved" : ""),
			    "aria-selected": RG.isPicked(w.position) ? "true" : "false",
			    "data-position": w.position, "data-wagon": w.wagon,
			    "data-action": a, tabindex: w.position === tabbed ? 0 : -1,
			    title: wagonTitle(w, a),
			    onclick: function (ev) {
				setTabbed(w.position);
				if (ev.ctrlKey || ev.metaKey)
					RG.togglePick(w.position);
				else if (ev.shiftKey)
					RG.pickRange(w.position);
				else
					openWagon(w.position);
			    } },
			    el("span", { class: "pos", text: w.position }),
			    el("span", { class: "num", text: w.wagon.slice(-4) }),
			    el("span", { class: "act", text: a }),
			    el("span", { class: "wheels" })));
		});
		strip.addEventListener("keydown", stripKey);
		strip.addEventListener("keyup", function (ev) {
			if (ev.key === " ")
				ev.preventDefault();	/* no click: Space picks */
		});
		return el("div", { class: "strip-wrap" }, strip,
		    el("p", { class: "legend" }, Object.keys(LANES).map(function (a) {
			return el("span", { class: "key lane-" + LANES[a], text: a });
		    })),
		    el("p", { id: "strip-keys", class: "hint noprint",
			text: RG.t("Keys: \u2190 \u2192 move between wagons, Enter opens one, Space selects it for a resolution at once (Shift+\u2190 \u2192 selects while moving); with the mouse, Ctrl-click selects a wagon and Shift-click the wagons up to it.") }));
	}

	/* What the officer's last action did; it stays through redraws. */
	function flash(text) {
		var f = $("flash");

		state.flashText = text;
		state.flashTrain = state.trainId;
		if (f)
			f.textContent = text;
	}

	/* The last action's message for this train, or "". */
	function flashText() {
		return state.flashTrain === state.trainId && state.flashText ?
		    state.flashText : "";
	}

	function detailsText(o) {
		if (!o || typeof o !== "object")
			return o === null || o === undefined ? "" : String(o);
		return Object.keys(o).filter(function (k) {
			return o[k] !== null && k !== "sha256";
		}).map(function (k) {
			var v = o[k];
			return k + "=" + (typeof v === "object" ? JSON.stringify(v) : v);
		}).join(" ");
	}

	/* The audit trail in order: manifest, decisions, events, neighbour data, officers, notices. */
	function renderTimeline(audit) {
		var rows = (audit || []).slice().sort(function (a, b) {
			return a.seq - b.seq;
		});

		return el("div", { class: "panel" },
		    el("h3", { text: RG.t("Timeline ({n} audit records)",
			{ n: rows.length }) }),
		    el("ol", { id: "timeline", class: "timeline" }, rows.map(function (r) {
			var kind = String(r.action || "").split(".")[0];

			return el("li", { class: "tl tl-" + kind },
			    el("time", { text: timeText(r.at) }),
			    el("span", { class: "tl-action", text: r.action }),
			    el("span", { class: "tl-actor", text: r.actor }),
			    el("span", { class: "tl-details", text:
				detailsText(r.details) }));
		    })));
	}

	function renderNotices(notices) {
		var keys = [];

		notices.forEach(function (n) {
			Object.keys(n).forEach(function (k) {
				if (keys.indexOf(k) < 0 && typeof n[k] !== "object")
					keys.push(k);
			});
		});
		return el("div", { class: "panel" },
		    el("h3", { text: RG.t("Notices sent ({n})",
			{ n: notices.length }) }),
		    notices.length === 0 ? el("p", { class: "hint",
			text: RG.t("None yet: notices go out when the decision is final.") }) :
		    el("table", { id: "notices", class: "notices" },
			el("thead", null, el("tr", null, keys.map(function (k) {
			    return el("th", { text: k });
			}))),
			el("tbody", null, notices.map(function (n) {
			    return el("tr", { class: "notice-" + n.state },
				keys.map(function (k) {
				    return el("td", { text: n[k] === null ||
					n[k] === undefined ? "" : n[k] });
				}));
			}))));
	}

	/*
	 * A pushed change naming this train (or none: a reset) reloads it,
	 * unless the page already shows its audit record (the officer's own
	 * action, reloaded by the action itself).
	 */
	var pushedSeq = 0;
	RG.subscribe(function (m) {
		var id = state.trainId;

		if (state.view !== "train" || !id || (m.train &&
		    id.split("@")[0] !== m.train))
			return;
		pushedSeq = Math.max(pushedSeq, m.train && m.seq ? m.seq : Infinity);
		RG.reloadSoon("train", function () {
			var a = state.train && state.train.id === id ?
			    state.train.audit : [], want = pushedSeq;

			pushedSeq = 0;
			if (state.view === "train" && state.trainId === id &&
			    !(a.length > 0 && a[a.length - 1].seq >= want))
				loadTrain(id, true);
		});
	});

	RG.fetchTrain = fetchTrain;
	RG.loadTrain = loadTrain;
	RG.flash = flash;
	RG.flashText = flashText;
	RG.decisionWagon = decisionWagon;
	RG.decisionWhy = decisionWhy;
	RG.addRoute(/^train\/([^/]+)$/, function (m) { openTrain(m[1]); });
	/* A change the daemon pushes about this train: draw it again now. */
	RG.subscribe(function (msg) {
		var t = state.train ? state.train.train : null;

		if (state.view === "train" && t && msg && msg.train === t.train &&
		    (msg.run === undefined || msg.run === t.run))
			loadTrain(state.trainId, true);
	});
})();
