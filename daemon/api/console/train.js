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

			return fetchRuleset(data.decision).then(function () {
				return data;
			});
		});
	}

	/*
	 * The files of the rule set that made the decision, fetched once per
	 * rule set: a hit shows the text of its rule.  A failure only leaves
	 * the rule text out.
	 */
	function fetchRuleset(d) {
		var sha = d && d.ruleset ? d.ruleset.sha256 : null;

		if (!sha || state.rulesets[sha])
			return Promise.resolve();
		return api("GET", "/v1/rulesets/" + enc(sha)).then(function (rs) {
			state.rulesets[sha] = rs.files || [];
		}).catch(function () {
			state.rulesets[sha] = [];
		});
	}

	/* The source text of every rule named name in the decision's rule set. */
	function ruleText(name) {
		var d = state.train ? state.train.decision : null,
		    files = d && d.ruleset ? state.rulesets[d.ruleset.sha256] : null,
		    out = [], lines, i, k, start;

		(files || []).forEach(function (f) {
			if (!/\.rules$/.test(f.name))
				return;
			lines = f.text.split("\n");
			for (i = 0; i < lines.length; i++) {
				if (!/^rule\s/.test(lines[i]) ||
				    lines[i].replace(/^rule\s+/, "").trim() !== name)
					continue;
				start = i;
				for (k = i; k < lines.length && !/^end\s*$/.test(lines[k]); k++)
					;
				out.push(f.name + ":" + (start + 1) + "\n" +
				    lines.slice(start, k + 1).join("\n"));
			}
		});
		return out.join("\n\n");
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
			class: "clock " + cd.cls, text: cd.text })));
		root.appendChild(renderStrip(t));
		root.appendChild(el("div", { id: "wagon-detail", class: "panel" }));
		renderWagonDetail();
		if (d && d.train_hits && d.train_hits.length)
			root.appendChild(el("div", { id: "train-hits",
			    class: "panel" }, el("h3", { text: "Train-level hits" }),
			    renderTrainHits(d.train_hits, t)));
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
				renderWagonDetail();
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

	function subjectText(s) {
		if (!s)
			return "train";
		return Object.keys(s).map(function (k) {
			return k + " " + s[k];
		}).join(", ");
	}

	function renderHits(hits) {
		return el("ul", { class: "hits" }, hits.map(function (h) {
			return el("li", { class: "hit" },
			    el("span", { class: "badge lane-" + (LANES[h.action] ||
				"unknown"), text: h.action }),
			    el("p", { class: "reason", text: h.reason }),
			    el("dl", { class: "hit-facts" },
				el("dt", { text: "rule" }), el("dd", { class: "rule",
				    text: h.rule }),
				el("dt", { text: "subject" }), el("dd", {
				    text: subjectText(h.subject) }),
				h.would_pass_if ? el("dt", { text: "would pass if" }) : null,
				h.would_pass_if ? el("dd", { text: h.would_pass_if }) : null),
			    ruleText(h.rule) ? el("details", { class: "rule-text" },
				el("summary", { text: "rule text" }),
				el("pre", { text: ruleText(h.rule) })) : null);
		}));
	}

	var RANK = { RELEASE: 0, AUDIT: 1, DOC_CHECK: 2, INSPECT: 3, HOLD: 4,
	    REFUSE: 5 };

	/* Whether a train hit (h) is about the goods of resolution g. */
	function hitIsAbout(h, g) {
		var s = h.subject || {};

		return s.consignment === g.consignment && (g.item === null ||
		    g.item === undefined || s.item === undefined ||
		    s.item === g.item);
	}

	/* The goods resolution in force that takes hit h, or null. */
	function goodsResolutionOf(h, t) {
		var i, g;

		for (i = 0; t.goods_resolutions && i < t.goods_resolutions.length;
		    i++) {
			g = t.goods_resolutions[i];
			if (g.in_force && hitIsAbout(h, g) && (g.resolution ===
			    "located" || RANK[h.action] <= RANK.DOC_CHECK))
				return g;
		}
		return null;
	}

	/*
	 * The train's hits; one about goods on no wagon offers its two ways
	 * out: the goods located on a wagon (picked from the train's), or the
	 * manifest corrected, with a reason.
	 */
	function renderTrainHits(hits, t) {
		var list = renderHits(hits);

		Array.prototype.forEach.call(list.children, function (li, i) {
			var h = hits[i], g;

			if (!h.subject || !h.subject.consignment)
				return;
			g = goodsResolutionOf(h, t);
			if (g) {
				li.appendChild(el("p", { class: "resolved", text:
				    (g.resolution === "located" ? "Goods located on " +
				    "wagon " + g.wagon : "Manifest corrected") +
				    " by " + g.by + ": " + g.reason +
				    " (applied when the decision is made final)" }));
				return;
			}
			li.appendChild(goodsForm(h, i, t));
		});
		return list;
	}

	function goodsForm(h, i, t) {
		var wagon, reason, msg, goods = "consignment " +
		    h.subject.consignment + (h.subject.item ? " item " +
		    h.subject.item : "");

		wagon = el("select", { id: "goods-wagon-" + i, "data-kept": true,
		    name: "wagon" }, (t.wagons || []).map(function (w) {
			return el("option", { value: w.wagon, text: w.position +
			    ": " + w.wagon });
		    }));
		reason = el("input", { id: "goods-reason-" + i, "data-kept": true,
		    name: "reason", type: "text", size: 40, required: true,
		    placeholder: "reason (the auditor reads it)" });
		msg = el("span", { id: "goods-result-" + i, class: "status" });

		function send(resolution) {
			var body = { consignment: h.subject.consignment,
			    resolution: resolution, reason: reason.value.trim() };

			if (h.subject.item)
				body.item = h.subject.item;
			if (resolution === "located")
				body.wagon = wagon.value;
			if (!body.reason) {
				msg.textContent = "a reason is required";
				return;
			}
			msg.textContent = "sending\u2026";
			api("POST", "/v1/trains/" + enc(state.trainId) +
			    "/goods/resolution", body).then(function (r) {
				msg.textContent = "";
				reason.value = "";
				showError("");
				flash("Goods " + goods + ": " + (resolution ===
				    "located" ? "located on wagon " + r.wagon :
				    "manifest corrected"));
				loadTrain(state.trainId);
			}).catch(function (e) {
				msg.textContent = "refused";
				showError(e.message);
			});
		}

		return el("form", { id: "goods-form-" + i, class: "goods noprint",
		    onsubmit: function (ev) { ev.preventDefault(); } },
		    el("button", { id: "goods-located-" + i, type: "button",
			onclick: function () { send("located"); },
			text: "Goods located on wagon" }), " ", wagon, " ",
		    el("button", { id: "goods-corrected-" + i, type: "button",
			disabled: RANK[h.action] > RANK.DOC_CHECK,
			title: RANK[h.action] > RANK.DOC_CHECK ? "goods at " +
			h.action + " must be located on a wagon" : null,
			onclick: function () { send("corrected"); },
			text: "Manifest corrected" }), " ", reason, " ", msg);
	}

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
			    text: "Click a wagon to see its hits and resolve it." }));
			return;
		}
		dw = decisionWagon(state.train.decision, w.position);
		panel.appendChild(el("h3", null, "Wagon " + w.wagon + " at position " +
		    w.position + " ", el("span", { class: "badge lane-" +
		    (LANES[wagonAction(w)] || "unknown"), text: wagonAction(w) })));
		panel.appendChild(el("p", { text: w.containers + " container(s), " +
		    w.items + " item(s); decision: " + w.action +
		    (w.resolution ? "; officer's resolution: " + w.resolution +
			(w.resolved_by ? " by " + w.resolved_by : "") +
			(w.confirmed_by ? ", confirmed by " + w.confirmed_by :
			"") : "") }));
		if (w.override)
			panel.appendChild(el("p", { class: "pending", text:
			    "Override proposed by " + w.override.proposed_by +
			    ": " + w.override.action + " (" + w.override.reason +
			    "). It takes effect when another supervisor " +
			    "confirms it or approves the train." }));
		if (dw && dw.hits && dw.hits.length)
			panel.appendChild(renderHits(dw.hits));
		else
			panel.appendChild(el("p", { class: "hint",
			    text: "No hits on this wagon." }));

		sel = el("select", { id: "resolve-action", name: "action" },
		    ["release", "inspect", "hold", "refuse"].map(function (a) {
			return el("option", { value: a, text: a });
		    }));
		reason = el("input", { id: "resolve-reason", name: "reason",
		    type: "text", size: 50, required: true,
		    placeholder: "reason (the auditor reads it)" });
		msg = el("span", { id: "resolve-result", class: "status" });
		panel.appendChild(el("form", { id: "resolve-form", class: "noprint",
		    onsubmit: function (ev) {
			ev.preventDefault();
			if (!reason.value.trim()) {
				msg.textContent = "a reason is required";
				return;
			}
			msg.textContent = "sending\u2026";
			api("POST", "/v1/trains/" + enc(state.trainId) + "/wagons/" +
			    enc(w.wagon) + "/resolution", { action: sel.value,
			    reason: reason.value.trim() }).then(function (r) {
				msg.textContent = "";
				reason.value = "";
				showError("");
				flash("Wagon " + w.wagon + ": " + (r.proposed ?
				    "override proposed, " + r.previous + " \u2192 " +
				    r.proposed + ": it waits for a second " +
				    "supervisor to confirm it" : r.previous +
				    " \u2192 " + r.action));
				loadTrain(state.trainId);
			}).catch(function (e) {
				msg.textContent = "refused";
				showError(e.message);
			});
		    } },
		    el("label", { for: "resolve-action", text: "Resolve: " }), sel, " ",
		    reason, " ", el("button", { id: "resolve-submit", type: "submit",
		    text: "Resolve wagon" }), " ", msg));
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
	RG.decisionWagon = decisionWagon;
	RG.addRoute(/^train\/([^/]+)$/, function (m) { openTrain(m[1]); });
})();
