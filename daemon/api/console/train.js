/*
 * train.js -- one train's page (#/train/ID): the strip of wagons, a
 * wagon's hits and the officer's resolution, train-level hits, approval,
 * the timeline and the notices.  It reads the per-wagon summary and the
 * decision, never the items, so a train of a million items opens as fast
 * as one of five.
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
			clear($("train"));
			$("train").appendChild(el("p", { class: "hint",
			    text: "Loading train " + id + "\u2026" }));
		}
		state.trainId = id;
		loadTrain(id);
		state.trainTimer = setInterval(function () { loadTrain(id, true); },
		    TRAIN_POLL_MS);
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

		var kept = keepInputs();

		clear(root);
		root.appendChild(el("p", { class: "noprint" },
		    el("a", { href: "#/" }, "\u2190 all trains")));
		root.appendChild(el("h2", null, "Train " + t.train + " ",
		    el("span", { class: "run", text: "run " + t.run }),
		    t.green_lane ? el("span", { class: "badge lane-green",
			text: "green lane" }) : null,
		    d ? el("span", { id: "train-decision", class: "badge decision-" +
			d.decision, text: d.decision + (d.final ? " (final)" :
			" (provisional)") }) : el("span", { class: "badge",
			text: "not decided yet" })));
		root.appendChild(el("dl", { class: "facts" },
		    el("dt", { text: "Route" }), el("dd", { text: routeText(t) +
			" via " + (t.border_station || "?") }),
		    el("dt", { text: "Direction" }), el("dd", { text: t.direction }),
		    el("dt", { text: "State" }), el("dd", { id: "train-state",
			text: t.state }),
		    el("dt", { text: "ETA / arrived" }), el("dd", {
			text: timeText(t.eta) + (t.ata ? " / " + timeText(t.ata) : "") }),
		    el("dt", { text: "Wagons / containers / items" }), el("dd", {
			text: c.wagons + " / " + c.containers + " / " + c.items }),
		    el("dt", { text: "Clearance clock" }), el("dd", { id: "train-clock",
			class: "clock " + cd.cls, text: cd.text }),
		    RG.arrivalFacts(t.clock)));
		root.appendChild(renderStrip(t));
		root.appendChild(el("div", { id: "wagon-detail", class: "panel" }));
		RG.renderWagonDetail();
		if (d && d.train_hits && d.train_hits.length)
			root.appendChild(el("div", { id: "train-hits",
			    class: "panel" }, el("h3", { text: "Train-level hits" }),
			    RG.renderTrainHits(d.train_hits, t)));
		root.appendChild(renderApprove(t, d));
		root.appendChild(renderTimeline(data.audit));
		root.appendChild(renderNotices(data.notices));
		restoreInputs(kept);
		document.body.setAttribute("data-rendered", "train");
		if (window.railgateRenderedMs === undefined)
			window.railgateRenderedMs = performance.now();
	}

	/*
	 * What the officer is typing, kept across a redraw (the page polls
	 * every few seconds): the forms' values and the focused field.
	 */
	var KEPT_INPUTS = ["resolve-action", "resolve-reason", "approve-reason"];

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

	/* The wagons in train order, behind a locomotive. */
	function renderStrip(t) {
		var wagons = (t.wagons || []).slice().sort(function (a, b) {
			return a.position - b.position;
		});
		var strip = el("div", { id: "strip", class: "strip",
		    role: "list", "aria-label": "wagons in train order" },
		    el("div", { class: "loco", title: "locomotive" }, "\u25C0 loco"));

		wagons.forEach(function (w) {
			var a = wagonAction(w), lane = LANES[a] || "unknown";

			strip.appendChild(el("button", {
			    type: "button", role: "listitem",
			    class: "wagon lane-" + lane +
				(state.selected === w.position ? " selected" : "") +
				(w.resolution ? " resolved" : ""),
			    "data-position": w.position, "data-wagon": w.wagon,
			    "data-action": a,
			    title: "position " + w.position + ", wagon " + w.wagon +
				": " + a + (w.resolution ? " (officer: " +
				w.resolution + ", decision " + w.action + ")" : ""),
			    onclick: function () {
				state.selected = w.position;
				Array.prototype.forEach.call(
				    strip.querySelectorAll(".wagon"), function (b) {
					b.classList.toggle("selected",
					    b.getAttribute("data-position") ===
					    String(w.position));
				    });
				RG.renderWagonDetail();
			    } },
			    el("span", { class: "pos", text: w.position }),
			    el("span", { class: "num", text: w.wagon.slice(-4) }),
			    el("span", { class: "act", text: a }),
			    el("span", { class: "wheels" })));
		});
		return el("div", { class: "strip-wrap" }, strip,
		    el("p", { class: "legend" }, Object.keys(LANES).map(function (a) {
			return el("span", { class: "key lane-" + LANES[a], text: a });
		    })));
	}


	function flash(text) {
		var f = $("flash");

		if (f)
			f.textContent = text;
	}

	function renderApprove(t, d) {
		var reason = el("input", { id: "approve-reason", type: "text",
		    size: 50, placeholder: "reason (optional)" });
		var msg = el("span", { id: "approve-result", class: "status" });

		return el("div", { class: "panel actions noprint" },
		    el("h3", { text: "Actions" }),
		    el("p", { id: "flash", class: "flash" }),
		    el("form", { id: "approve-form", onsubmit: function (ev) {
			ev.preventDefault();
			msg.textContent = "sending\u2026";
			api("POST", "/v1/trains/" + enc(state.trainId) + "/approve",
			    { reason: reason.value.trim() || "approved" }).then(
			    function () {
				msg.textContent = "";
				reason.value = "";
				showError("");
				flash("Decision approved: final.");
				loadTrain(state.trainId);
			}).catch(function (e) {
				msg.textContent = "refused";
				showError(e.message);
			});
		    } }, reason, " ", el("button", { id: "approve-submit",
			type: "submit", disabled: !d || d.final,
			text: d && d.final ? "Approved" : "Approve train" }), " ", msg),
		    el("p", null, el("a", { id: "setout-link", href: "#/train/" +
			enc(state.trainId) + "/setout", text:
			"Set-out list for the shunting crew (printable)" })));
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
		    el("h3", { text: "Timeline (" + rows.length + " audit records)" }),
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
		    el("h3", { text: "Notices sent (" + notices.length + ")" }),
		    notices.length === 0 ? el("p", { class: "hint",
			text: "None yet: notices go out when the decision is final." }) :
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

	RG.fetchTrain = fetchTrain;
	RG.loadTrain = loadTrain;
	RG.flash = flash;
	RG.decisionWagon = decisionWagon;
	RG.addRoute(/^train\/([^/]+)$/, function (m) { openTrain(m[1]); });
})();
