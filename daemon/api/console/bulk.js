/*
 * bulk.js -- several wagons of the train page resolved at once.  The
 * officer picks wagons on the strip (Space, Ctrl-click, Shift-click, the
 * wagons of one rule, or every wagon waiting for a document check) and
 * resolves them with one action -- none is chosen for them -- and one
 * reason: POST /v1/trains/{id}/wagons/resolution, all or nothing (a
 * refusal names each refused wagon and changes none).  The picks survive
 * the page's redraws and are forgotten when another train opens.
 */
"use strict";

(function () {
	var RG = window.RG;
	var state = RG.state;
	var $ = RG.$, el = RG.el, api = RG.api, enc = RG.enc,
	    showError = RG.showError, wagonAction = RG.wagonAction;

	state.picked = {};		/* position -> true */
	state.pickedTrain = null;	/* the train the picks belong to */
	state.lastPick = null;		/* Shift-click picks up to here */

	/* Forgets the picks when train id is not the one they belong to. */
	function resetPicks(id) {
		if (state.pickedTrain === id)
			return;
		state.picked = {};
		state.pickedTrain = id;
		state.lastPick = null;
	}

	function isPicked(pos) {
		return state.picked[pos] === true;
	}

	/* The picked positions, in train order. */
	function pickedPositions() {
		return Object.keys(state.picked).map(Number).sort(function (a, b) {
			return a - b;
		});
	}

	/* The train's wagons at the picked positions, in train order. */
	function pickedWagons() {
		var t = state.train ? state.train.train : null;

		return ((t && t.wagons) || []).filter(function (w) {
			return isPicked(w.position);
		}).sort(function (a, b) { return a.position - b.position; });
	}

	function togglePick(pos) {
		if (isPicked(pos))
			delete state.picked[pos];
		else
			state.picked[pos] = true;
		state.lastPick = pos;
		refreshPicks();
	}

	/* Adds the wagons at positions to the picks. */
	function pickPositions(positions) {
		positions.forEach(function (p) { state.picked[p] = true; });
		if (positions.length > 0)
			state.lastPick = positions[positions.length - 1];
		refreshPicks();
	}

	/* Picks the wagons from the last picked one up to pos. */
	function pickRange(pos) {
		var from = state.lastPick === null ? pos : state.lastPick,
		    lo = Math.min(from, pos), hi = Math.max(from, pos);

		(state.train.train.wagons || []).forEach(function (w) {
			if (w.position >= lo && w.position <= hi)
				state.picked[w.position] = true;
		});
		state.lastPick = pos;
		refreshPicks();
	}

	/* Picks every wagon whose action now is action. */
	function pickLane(action) {
		pickPositions((state.train.train.wagons || []).filter(function (w) {
			return wagonAction(w) === action;
		}).map(function (w) { return w.position; }));
	}

	function clearPicks() {
		state.picked = {};
		state.lastPick = null;
		refreshPicks();
	}

	/* "3-8, 12": positions as runs. */
	function runsText(positions) {
		var out = [], i, start;

		for (i = 0; i < positions.length; i++) {
			start = positions[i];
			while (i + 1 < positions.length &&
			    positions[i + 1] === positions[i] + 1)
				i++;
			out.push(start === positions[i] ? String(start) :
			    start + "\u2013" + positions[i]);
		}
		return out.join(", ");
	}

	/* What is picked, in words. */
	function pickedText(n) {
		return n.length === 0 ? RG.t("No wagon selected.") :
		    n.length === 1 ? RG.t("1 wagon selected: position {positions}",
			{ positions: runsText(n) }) :
		    RG.t("{n} wagons selected: positions {positions}",
			{ n: n.length, positions: runsText(n) });
	}

	/* The strip's marks and the form's count follow the picks. */
	function refreshPicks() {
		var strip = $("strip"), n = pickedPositions(), info = $("bulk-picked"),
		    submit = $("bulk-submit");

		if (strip)
			Array.prototype.forEach.call(strip.querySelectorAll(".wagon"),
			    function (b) {
				var on = isPicked(Number(b.getAttribute(
				    "data-position")));

				b.classList.toggle("picked", on);
				b.setAttribute("aria-selected", on ? "true" : "false");
			    });
		if (info) {
			info.setAttribute("data-count", n.length);
			info.textContent = pickedText(n);
		}
		if (submit)
			submit.disabled = n.length === 0;
	}

	/* Sends the resolution of the picked wagons. */
	function sendBulk(sel, reason, msg) {
		var ws = pickedWagons();

		if (ws.length === 0) {
			msg.textContent = RG.t("select the wagons first");
			return;
		}
		if (!sel.value) {
			msg.textContent = RG.t("choose an action");
			sel.focus();
			return;
		}
		if (!reason.value.trim()) {
			msg.textContent = RG.t("a reason is required");
			reason.focus();
			return;
		}
		msg.textContent = RG.t("sending\u2026");
		api("POST", "/v1/trains/" + enc(state.trainId) +
		    "/wagons/resolution", { wagons: ws.map(function (w) {
			return w.wagon;
		    }), action: sel.value, reason: reason.value.trim() }).then(
		    function (r) {
			msg.textContent = "";
			reason.value = "";
			sel.value = "";
			showError("");
			clearPicks();
			RG.flash(r.proposed > 0 && r.resolved === 0 ?
			    RG.t("{n} overrides proposed: {action}; each waits for a second supervisor", { n: r.proposed, action: r.action }) :
			    r.proposed > 0 ?
			    RG.t("{n} wagons resolved: {action}; {p} overrides proposed, waiting for a second supervisor", { n: r.resolved, action: r.action, p: r.proposed }) :
			    RG.t("{n} wagons resolved at once: {action}", { n: r.resolved, action: r.action }));
			RG.loadTrain(state.trainId);
		}).catch(function (e) {
			msg.textContent = RG.t("refused: nothing changed");
			showError(e.message);
		});
	}

	/* The form that resolves the picked wagons (officers, supervisors). */
	function renderBulk(t) {
		var sel, reason, msg, doc = (t.wagons || []).filter(function (w) {
			return wagonAction(w) === "DOC_CHECK";
		}).length;

		if (!RG.hasRole(["officer", "supervisor"]))
			return el("div", { id: "bulk-panel", hidden: true });
		sel = el("select", { id: "bulk-action", name: "action",
		    required: true },
		    el("option", { value: "", text: RG.t("choose an action\u2026") }),
		    el("option", { value: "release", text: RG.t("release") }),
		    el("option", { value: "inspect", text: RG.t("inspect") }),
		    el("option", { value: "hold", text: RG.t("hold") }),
		    el("option", { value: "refuse", text: RG.t("refuse") }));
		reason = el("input", { id: "bulk-reason", name: "reason",
		    type: "text", size: 50, required: true,
		    placeholder: RG.t("one reason for all, e.g. documents presented for wagons 3-17") });
		msg = el("span", { id: "bulk-result", class: "status" });
		return el("div", { id: "bulk-panel", class: "panel bulk noprint" },
		    el("h3", { text: RG.t("Resolve several wagons at once") }),
		    el("p", null,
			el("button", { id: "pick-doccheck", type: "button",
			    disabled: doc === 0, onclick: function () {
				pickLane("DOC_CHECK");
			    } }, doc === 0 ? RG.t("No wagon waits for a document check") :
			    doc === 1 ? RG.t("Select the DOC_CHECK wagon") :
			    RG.t("Select all {n} DOC_CHECK wagons", { n: doc })),
			" ",
			el("button", { id: "pick-clear", type: "button",
			    onclick: clearPicks }, RG.t("Clear the selection")),
			" ", el("span", { id: "bulk-picked", class: "status",
			    "data-count": pickedPositions().length,
			    text: pickedText(pickedPositions()) })),
		    el("form", { id: "bulk-form", novalidate: true,
			onsubmit: function (ev) {
			    ev.preventDefault();
			    sendBulk(sel, reason, msg);
			} },
			el("label", { for: "bulk-action", text: RG.t("Resolve the selected wagons:") }),
			" ", sel, " ", reason, " ",
			el("button", { id: "bulk-submit", type: "submit",
			    disabled: pickedPositions().length === 0,
			    text: RG.t("Resolve selected wagons") }), " ", msg));
	}

	RG.resetPicks = resetPicks;
	RG.isPicked = isPicked;
	RG.togglePick = togglePick;
	RG.pickPositions = pickPositions;
	RG.pickRange = pickRange;
	RG.pickLane = pickLane;
	RG.runsText = runsText;
	RG.renderBulk = renderBulk;
})();
