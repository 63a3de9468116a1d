/*
 * alerts.js -- a threshold of a train's clearance clock crossed
 * (clock.amber, clock.red, clock.overdue, pushed by stream.js): an alert
 * on every page at once, until the officer dismisses it.  The newest
 * first, at most ALERTS_MAX shown; one per train and threshold.
 */
"use strict";

(function () {
	var RG = window.RG;
	var ALERTS_MAX = 6;
	var LEVELS = { "clock.amber": "amber", "clock.red": "red",
	    "clock.overdue": "overdue" };

	/* The alerts' box, made on first use. */
	function box() {
		var b = document.getElementById("alerts");

		if (!b) {
			b = RG.el("div", { id: "alerts", class: "alerts noprint",
			    "aria-live": "assertive" });
			document.body.appendChild(b);
		}
		return b;
	}

	/* The seconds left the record carries, if it does. */
	function remaining(msg) {
		var d = msg.details || {}, v = d.remaining_s;

		if (v === undefined)
			v = d.left_s;
		return typeof v === "number" ? v : null;
	}

	function text(level, msg) {
		var left = remaining(msg), p = { train: msg.train || "?",
		    left: left === null ? "" : RG.clockText(left) };

		if (level === "overdue")
			return RG.t("Train {train} is overdue", p);
		if (level === "red")
			return left === null ? RG.t("Train {train}: red, little time left", p) :
			    RG.t("Train {train}: red, {left} left", p);
		return left === null ? RG.t("Train {train}: amber, time is running out", p) :
		    RG.t("Train {train}: amber, {left} left", p);
	}

	function show(msg) {
		var level = LEVELS[msg.action], b, key, old, a, link;

		if (!level)
			return;
		b = box();
		key = (msg.train || "") + "@" + (msg.run || "") + ":" + level;
		old = b.querySelector("[data-key=\"" + CSS.escape(key) + "\"]");
		if (old)
			b.removeChild(old);
		link = msg.train ? RG.el("a", { href: "#/train/" +
		    RG.enc(msg.train + (msg.run ? "@" + msg.run : "")),
		    text: text(level, msg) }) : RG.el("span", { text: text(level, msg) });
		a = RG.el("div", { class: "alert alert-" + level, role: "alert",
		    "data-key": key, "data-train": msg.train || "",
		    "data-level": level }, link,
		    RG.el("button", { type: "button", class: "alert-dismiss",
			title: RG.t("Dismiss"), "aria-label": RG.t("Dismiss"),
			text: "\u00d7", onclick: function () {
				if (a.parentNode)
					a.parentNode.removeChild(a);
			} }));
		b.insertBefore(a, b.firstChild);
		while (b.children.length > ALERTS_MAX)
			b.removeChild(b.lastChild);
	}

	RG.subscribe(show);
})();
