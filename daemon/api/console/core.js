/*
 * core.js -- the officer console's shared core: the RG namespace every
 * other console file reads (state, the element helper, the API call,
 * the views and the router), the login form and the start-up.  Page
 * files (list.js, train.js, setout.js) register their routes with
 * RG.addRoute and export what another page needs on RG.
 *
 * Every text from the API goes into the page through textContent (the
 * el() helper): nothing from a manifest is ever parsed as HTML.  The
 * token lives in sessionStorage and goes with each call as a bearer
 * token.
 */
"use strict";

(function () {
	var RG = window.RG = window.RG || {};
	var TOKEN_KEY = "railgate.token";
	var LANES = RG.LANES = {
		RELEASE: "green", AUDIT: "blue", DOC_CHECK: "yellow",
		INSPECT: "red", HOLD: "held", REFUSE: "refused"
	};
	var SET_OUT = RG.SET_OUT = { INSPECT: true, HOLD: true, REFUSE: true };

	var state = RG.state = {
		view: null,		/* "list", "train", "setout" */
		trainId: null,
		listTimer: null,
		trainTimer: null,
		tickTimer: null,
		trains: [],
		fetchedAt: 0,
		train: null,		/* the loaded train page's data */
		rulesets: {},		/* sha256 -> its files, once fetched */
		selected: null		/* position of the opened wagon */
	};

	function $(id) { return document.getElementById(id); }

	/* An element with attributes and children (strings become text nodes). */
	function el(tag, attrs) {
		var e = document.createElement(tag), k, i, c;

		for (k in attrs || {}) {
			if (!Object.prototype.hasOwnProperty.call(attrs, k) ||
			    attrs[k] === null || attrs[k] === undefined ||
			    attrs[k] === false)
				continue;
			if (k === "text")
				e.textContent = String(attrs[k]);
			else if (k === "onclick" || k === "onsubmit" ||
			    k === "onchange")
				e.addEventListener(k.slice(2), attrs[k]);
			else
				e.setAttribute(k, attrs[k] === true ? "" :
				    String(attrs[k]));
		}
		for (i = 2; i < arguments.length; i++) {
			c = arguments[i];
			if (c === null || c === undefined)
				continue;
			if (Array.isArray(c))
				c.forEach(function (x) { if (x) e.appendChild(x); });
			else
				e.appendChild(typeof c === "object" ? c :
				    document.createTextNode(String(c)));
		}
		return e;
	}

	function clear(node) {
		while (node.firstChild)
			node.removeChild(node.firstChild);
	}

	function token() { return sessionStorage.getItem(TOKEN_KEY); }

	function showError(msg) {
		var e = $("error");

		e.textContent = msg;
		e.hidden = !msg;
	}

	/*
	 * One API call: resolves with the parsed JSON, rejects with an Error
	 * whose message is the problem document's title and detail.
	 */
	function api(method, path, body) {
		var opts = {
			method: method,
			headers: { "Authorization": "Bearer " + token() },
			cache: "no-store"
		};

		if (body !== undefined) {
			opts.headers["Content-Type"] = "application/json";
			opts.body = JSON.stringify(body);
		}
		return fetch(path, opts).then(function (r) {
			return r.text().then(function (text) {
				var j = null, msg;

				try { j = text ? JSON.parse(text) : null; } catch (e) { j = null; }
				if (r.ok)
					return j;
				msg = method + " " + path + ": " + r.status;
				if (j && j.title)
					msg += " " + j.title;
				if (j && j.detail)
					msg += ": " + j.detail;
				var err = new Error(msg);
				err.status = r.status;
				if (r.status === 401)
					logout("The token was refused (401): log in again.");
				throw err;
			});
		});
	}

	function enc(s) { return encodeURIComponent(s); }

	function trainKey(t) { return t.train + "@" + t.run; }

	/* "12:05", "-3:10" for seconds. */
	function clockText(s) {
		var neg = s < 0, a = Math.abs(Math.floor(s)), m = Math.floor(a / 60),
		    r = a % 60;

		return (neg ? "-" : "") + m + ":" + (r < 10 ? "0" : "") + r;
	}

	function timeText(iso) {
		if (!iso)
			return "";
		return iso.replace("T", " ").replace(/\.\d+Z$/, "Z").replace("Z", " UTC");
	}

	function routeText(t) {
		return (t.departure_station || "?") + " \u2192 " +
		    (t.destination_station || "?");
	}

	/* The countdown cell's text and class, as of now. */
	function countdown(clock, fetchedAt) {
		var rem, flag;

		if (!clock || !clock.started)
			return { text: "not started (target " +
			    clockText(clock ? clock.target_s : 0) + ")", cls: "clock-none" };
		if (clock.flag === "done")
			return { text: "done in " + clockText(clock.elapsed_s),
			    cls: "clock-done" };
		rem = clock.remaining_s - (Date.now() - fetchedAt) / 1000;
		flag = RG.clockFlag ? RG.clockFlag(clock, rem) : clock.flag;
		return { text: rem > 0 ? clockText(rem) + " left" :
		    clockText(-rem) + " over target", cls: "clock-" + flag };
	}

	/* ---- login ---- */

	function logout(msg) {
		sessionStorage.removeItem(TOKEN_KEY);
		stopTimers();
		showView("login");
		showError(msg || "");
	}

	function login(ev) {
		var t = $("token").value.trim();

		ev.preventDefault();
		if (!t)
			return;
		sessionStorage.setItem(TOKEN_KEY, t);
		$("token").value = "";
		showError("");
		api("GET", "/v1/trains").then(function () {
			route();
		}).catch(function (e) {
			if (e.status !== 401)
				showError(e.message);
		});
	}

	/* ---- views ---- */

	function stopTimers() {
		clearInterval(state.listTimer);
		clearInterval(state.trainTimer);
		clearInterval(state.tickTimer);
		state.listTimer = state.trainTimer = state.tickTimer = null;
	}

	function showView(name) {
		["login", "list", "train", "setout"].forEach(function (v) {
			$(v).hidden = v !== name;
		});
		state.view = name;
		$("logout").hidden = name === "login";
		$("who").textContent = name === "login" ? "" :
		    (state.principal || "logged in");
		document.body.setAttribute("data-view", name);
	}

	/*
	 * Who is signed in: GET /v1/session's answer ({principal, role,
	 * ...}), or null while unknown -- then every control shows and the
	 * API refuses what the role may not do.
	 */
	RG.me = null;

	/* True when the signed-in role is one of roles (or still unknown). */
	RG.hasRole = function (roles) {
		return !RG.me || roles.indexOf(RG.me.role) >= 0;
	};

	/*
	 * fn(message) for each change the daemon pushes (stream.js: one
	 * message per audit record, {seq, action, train, run, actor, at});
	 * until the stream is up, pages poll.
	 */
	var listeners = [];
	RG.subscribe = function (fn) { listeners.push(fn); };
	RG.publish = function (msg) {
		listeners.forEach(function (fn) { fn(msg); });
	};

	var routes = [];

	/* A page's route: fn(match) opens it when the hash matches re. */
	RG.addRoute = function (re, fn) { routes.push({ re: re, fn: fn }); };

	function route() {
		var h = decodeURIComponent(location.hash.replace(/^#\/?/, "")),
		    i, m;

		stopTimers();
		document.body.removeAttribute("data-rendered");
		if (!token()) {
			showView("login");
			return;
		}
		for (i = 0; i < routes.length; i++)
			if ((m = routes[i].re.exec(h)) !== null) {
				routes[i].fn(m);
				return;
			}
		RG.openList();
	}

	/* What a wagon's action is now: an officer's resolution, else the decision. */
	function wagonAction(w) {
		return w.resolution ? String(w.resolution).toUpperCase() : w.action;
	}

	RG.$ = $;
	RG.el = el;
	RG.clear = clear;
	RG.token = token;
	RG.showError = showError;
	RG.api = api;
	RG.enc = enc;
	RG.trainKey = trainKey;
	RG.clockText = clockText;
	RG.timeText = timeText;
	RG.routeText = routeText;
	RG.countdown = countdown;
	RG.stopTimers = stopTimers;
	RG.showView = showView;
	RG.route = route;
	RG.logout = logout;
	RG.wagonAction = wagonAction;

	document.addEventListener("DOMContentLoaded", function () {
		$("login-form").addEventListener("submit", login);
		$("logout").addEventListener("click", function () {
			logout("Logged out.");
		});
		window.addEventListener("hashchange", route);
		route();
	});
})();
