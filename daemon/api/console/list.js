/*
 * list.js -- the officer console's train list (#/): the queue of trains
 * with their clearance clocks, polled (and reloaded on every change the
 * daemon pushes), the countdowns ticked every 250 ms.
 *
 * The queue (issue 18): the trains not finished (GET /v1/trains?finished=
 * false); "Show finished trains" brings the others back (the choice kept
 * for the tab).  Sorted by time left, most urgent first: running clocks
 * by time left (overdue ones first), green lane first among equals; then
 * trains whose clock has not started, green lane first, then by ETA; then
 * finished ones.  Each clock shows the arrival reported and when it was
 * received, and how late the report came (RG.arrivalFacts: the same on a
 * train's page).  RG.clockFlag: the flag of a clock with rem seconds
 * left, from the thresholds the daemon sent, so that a crossing shows as
 * it happens.
 */
"use strict";

(function () {
	var RG = window.RG;
	var LIST_POLL_MS = 3000;
	var TICK_MS = 250;	/* a crossing shows within a quarter second */
	var FINISHED_KEY = "rg.list.finished";
	var state = RG.state;
	var $ = RG.$, el = RG.el, clear = RG.clear, showError = RG.showError,
	    api = RG.api, enc = RG.enc, trainKey = RG.trainKey,
	    timeText = RG.timeText, routeText = RG.routeText,
	    countdown = RG.countdown, showView = RG.showView;

	/* ok, amber, red or overdue, for a running clock with rem s left. */
	function clockFlag(clock, rem) {
		if (!clock || clock.flag === "done")
			return clock ? clock.flag : "none";
		if (rem <= 0)
			return "overdue";
		if (typeof clock.red_left_s === "number" && rem <= clock.red_left_s)
			return "red";
		if (typeof clock.amber_left_s === "number" &&
		    rem <= clock.amber_left_s)
			return "amber";
		return typeof clock.red_left_s === "number" ? "ok" : clock.flag;
	}

	function showFinished() {
		return sessionStorage.getItem(FINISHED_KEY) === "1";
	}

	/* The filter and the sort, above the table, made once. */
	function listControls() {
		var box, cb;

		if ($("list-controls"))
			return;
		cb = el("input", { type: "checkbox", id: "list-show-finished" });
		cb.checked = showFinished();
		cb.addEventListener("change", function () {
			sessionStorage.setItem(FINISHED_KEY, cb.checked ? "1" : "0");
			loadList();
		});
		box = el("div", { id: "list-controls", class: "list-controls" },
		    el("label", { for: "list-show-finished" }, cb, " ",
			RG.t("Show finished trains")),
		    el("span", { class: "hint", id: "list-sort" },
			RG.t("Sorted by time left, most urgent first")));
		$("trains").parentNode.insertBefore(box, $("trains"));
	}

	function openList() {
		showView("list");
		listControls();
		loadList();
		/* Polled only while pushed changes do not arrive (stream.js). */
		state.listTimer = setInterval(function () {
			if (!RG.streamUp || !RG.streamUp())
				loadList();
		}, LIST_POLL_MS);
		state.tickTimer = setInterval(tickList, TICK_MS);
	}

	function loadList() {
		var path = showFinished() ? "/v1/trains" :
		    "/v1/trains?finished=false";

		api("GET", path).then(function (trains) {
			state.fetchedAt = Date.now();
			state.trains = sortTrains(trains || [], state.fetchedAt);
			showError("");
			$("list-status").textContent = RG.t("updated {time}",
			    { time: RG.nowText() });
			renderList();
		}).catch(function (e) {
			$("list-status").textContent = RG.t("update failed");
			showError(RG.t("{error} (retrying)", { error: e.message }));
		});
	}

	/* 0: clock running, 1: not started, 2: finished (or done). */
	function group(t) {
		if (t.finished || (t.clock && t.clock.flag === "done"))
			return 2;
		return t.clock && t.clock.started ? 0 : 1;
	}

	function etaMs(t) {
		var ms = t.eta ? Date.parse(t.eta) : NaN;

		return isNaN(ms) ? Infinity : ms;
	}

	/* Most urgent first (see the header). */
	function sortTrains(trains, at) {
		return trains.slice().sort(function (a, b) {
			var ga = group(a), gb = group(b);

			if (ga !== gb)
				return ga - gb;
			if (ga === 0 && a.clock.remaining_s !== b.clock.remaining_s)
				return a.clock.remaining_s - b.clock.remaining_s;
			if (ga !== 2 && !!a.green_lane !== !!b.green_lane)
				return a.green_lane ? -1 : 1;
			if (etaMs(a) !== etaMs(b))
				return etaMs(a) < etaMs(b) ? -1 : 1;
			return trainKey(a) < trainKey(b) ? -1 : 1;
		});
	}

	/* The arrival reported, when it was received, and how late. */
	function arrivalInfo(clock) {
		var rep, rec, late;

		if (!clock || !clock.arrived_at)
			return null;
		rep = Date.parse(clock.arrived_at);
		rec = clock.arrival_received_at ?
		    Date.parse(clock.arrival_received_at) : rep;
		late = Math.floor((rec - rep) / 60000);
		return el("div", { class: "arrival" },
		    el("span", { class: "arrival-reported", text:
			RG.t("arrived {time} (reported)",
			{ time: timeText(clock.arrived_at) }) }),
		    " ",
		    el("span", { class: "arrival-received", text:
			RG.t("received {time}",
			{ time: timeText(clock.arrival_received_at) }) }),
		    late >= 1 ? el("span", { class: "arrival-late", text: " " +
			RG.t("reported {minutes} min late", { minutes: late }) }) :
		    null);
	}

	/* The arrival as a train page's facts: [dt, dd], or null. */
	function arrivalFacts(clock) {
		var info = arrivalInfo(clock);

		return info ? [el("dt", { text: RG.t("Arrival") }),
		    el("dd", { class: "clock", id: "train-arrival" }, info)] : null;
	}

	function clockCell(t) {
		var cd = countdown(t.clock, state.fetchedAt);

		return el("td", { class: "clock " + cd.cls },
		    el("span", { class: "countdown", text: cd.text }),
		    arrivalInfo(t.clock));
	}

	function renderList() {
		var tbody = $("trains").tBodies[0];

		clear(tbody);
		state.trains.forEach(function (t) {
			var c = t.counts || {};

			tbody.appendChild(el("tr", { "data-train": trainKey(t),
			    "data-flag": t.clock && t.clock.flag || "none",
			    class: t.green_lane ? "green-lane" : null },
			    el("td", null,
				el("a", { href: "#/train/" + enc(trainKey(t)),
				    class: "train-link" }, t.train),
				t.run > 1 ? el("span", { class: "run",
				    text: " " + RG.t("run {run}", { run: t.run }) }) :
				    null,
				t.green_lane ? el("span", { class: "badge lane-green",
				    title: RG.t("green lane"), text:
				    RG.t("green lane") }) : null),
			    el("td", { text: routeText(t) }),
			    el("td", { text: RG.directionText(t.direction) }),
			    el("td", { text: timeText(t.eta) }),
			    el("td", { class: "num", text: c.wagons }),
			    el("td", { class: "num", text: c.containers }),
			    el("td", { class: "num", text: c.items }),
			    el("td", { text: RG.stateText(t.state) }),
			    el("td", null, t.decision ? el("span", { class:
				"badge decision-" + t.decision, text: t.final ?
				RG.t("{decision} (final)", { decision:
				RG.actionText(t.decision) }) :
				RG.actionText(t.decision) }) : "\u2014"),
			    clockCell(t)));
		});
		$("trains-empty").textContent = showFinished() ?
		    RG.t("No trains.") : RG.t("No trains waiting.");
		$("trains-empty").hidden = state.trains.length > 0;
		document.body.setAttribute("data-rendered", "list");
	}

	function tickList() {
		var rows = $("trains").tBodies[0].rows, i, t, cd, cell;

		for (i = 0; i < rows.length && i < state.trains.length; i++) {
			t = state.trains[i];
			cd = countdown(t.clock, state.fetchedAt);
			cell = rows[i].cells[9];
			cell.firstChild.textContent = cd.text;
			cell.className = "clock " + cd.cls;
		}
	}

	/* Any pushed change may move the list (stream.js). */
	RG.subscribe(function () {
		if (state.view === "list")
			RG.reloadSoon("list", loadList);
	});

	RG.clockFlag = clockFlag;
	RG.sortTrains = sortTrains;
	RG.arrivalFacts = arrivalFacts;
	RG.openList = openList;
})();
