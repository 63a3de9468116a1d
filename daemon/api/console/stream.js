/*
 * stream.js -- the changes the daemon pushes (GET /v1/stream, Server-
 * Sent Events): each message goes to RG.publish, so that pages reload
 * what they show when a change names it, and poll only while the stream
 * is down (RG.streamUp()).
 *
 * EventSource cannot send an Authorization header, so the stream is
 * read with fetch() and a ReadableStream reader, and parsed here (the
 * text/event-stream format: "field: value" lines, a blank line ends a
 * message).  The session cookie goes too (same origin).  A stream that
 * ends or fails is opened again after a backoff (1 s doubling to 30 s),
 * with Last-Event-ID: the daemon sends what was missed, or a "reset"
 * when too much was -- then every page reloads, as for any message.
 * document.body[data-stream] says "up" or "down".
 */
"use strict";

(function () {
	var RG = window.RG;
	var BACKOFF_MIN_MS = 1000, BACKOFF_MAX_MS = 30000;
	var lastId = null, up = false, running = false, backoff = BACKOFF_MIN_MS;
	var retryAt = 0, reader = null, soon = {};

	/* True while pushed changes arrive: pages need not poll. */
	RG.streamUp = function () { return up; };

	/*
	 * Runs fn once, shortly, however many messages ask for it at once
	 * (a train's evaluation writes several records together), and once
	 * more a second after the last of them.
	 */
	var sure = {};
	RG.reloadSoon = function (key, fn) {
		if (!soon[key])
			soon[key] = setTimeout(function () {
				delete soon[key];
				fn();
			}, 150);
		/* The daemon's list may be a second old (api_trains.c): one
		 * more read after the last change is sure to show it. */
		clearTimeout(sure[key]);
		sure[key] = setTimeout(function () {
			delete sure[key];
			fn();
		}, 1100);
	};

	function setUp(v) {
		up = v;
		document.body.setAttribute("data-stream", v ? "up" : "down");
	}

	/* One complete message: its fields. */
	function dispatch(ev) {
		var msg = null;

		if (ev.id !== null)
			lastId = ev.id;
		if (ev.event === "hello") {
			setUp(true);
			backoff = BACKOFF_MIN_MS;
			return;
		}
		try { msg = JSON.parse(ev.data); } catch (e) { msg = null; }
		if (msg === null || typeof msg !== "object")
			msg = {};
		msg.action = ev.event;
		RG.publish(msg);
	}

	/* Splits what arrived into lines and messages; returns the rest. */
	function parse(text, ev) {
		var nl, line, colon, field, value;

		while ((nl = text.indexOf("\n")) >= 0) {
			line = text.slice(0, nl).replace(/\r$/, "");
			text = text.slice(nl + 1);
			if (line === "") {
				if (ev.data !== null || ev.event !== "message")
					dispatch(ev);
				ev.event = "message";
				ev.data = null;
				ev.id = null;
				continue;
			}
			if (line.charAt(0) === ":")
				continue;	/* a heartbeat */
			colon = line.indexOf(":");
			field = colon < 0 ? line : line.slice(0, colon);
			value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
			if (field === "event")
				ev.event = value;
			else if (field === "data")
				ev.data = ev.data === null ? value : ev.data + "\n" + value;
			else if (field === "id")
				ev.id = value;
		}
		return text;
	}

	/* Reads the open stream until it ends. */
	function pump(r) {
		var dec = new TextDecoder(), rest = "",
		    ev = { event: "message", data: null, id: null };

		reader = r.body.getReader();
		function next() {
			return reader.read().then(function (chunk) {
				if (chunk.done)
					return;
				rest = parse(rest + dec.decode(chunk.value,
				    { stream: true }), ev);
				return next();
			});
		}
		return next();
	}

	/* The stream ended or failed: down, and again after the backoff. */
	function ended(status) {
		running = false;
		reader = null;
		setUp(false);
		/* A role the stream does not serve: not before a minute. */
		retryAt = Date.now() + (status === 403 ? 60000 : backoff);
		backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
	}

	function connect() {
		var headers = { "Accept": "text/event-stream" };

		running = true;
		if (RG.token())
			headers.Authorization = "Bearer " + RG.token();
		if (lastId !== null)
			headers["Last-Event-ID"] = lastId;
		fetch("/v1/stream", { headers: headers, cache: "no-store",
		    credentials: "same-origin" }).then(function (r) {
			if (!r.ok || !r.body) {
				ended(r.status);
				return;
			}
			return pump(r).then(function () { ended(0); });
		}).catch(function () { ended(0); });
	}

	/* Once a second: open the stream when signed in and not running. */
	function check() {
		var signedIn = !!RG.token() || !!RG.me;

		if (!signedIn && reader !== null)
			reader.cancel();	/* signed out */
		if (!running && signedIn && Date.now() >= retryAt)
			connect();
	}

	document.addEventListener("DOMContentLoaded", function () {
		setUp(false);
		check();
		setInterval(check, 1000);
	});
})();
