// The room socket's connection: which messages it asks for, and its state in words.
// An enhancement like all of static/js: without JavaScript, forms and links do it all.
"use strict";

// A block of its own: these names stay private to this file.
{
  // On every (re)connect the socket's address says the newest change this page
  // has been sent (its cursor, which every frame moves on: #room-cursor), so the
  // server sends exactly what changed after it. hx-ws keeps the address it
  // started with; this event comes before each attempt (the first, and each
  // reconnect before its delay, while the socket is down and nothing arrives),
  // so the cursor it writes is the page's newest.
  document.addEventListener("htmx:ws:before:connection", (event) => {
    const connection = event.detail.connection;
    const url = new URL(connection.url);
    const cursor = document.getElementById("room-cursor");
    if (cursor) url.searchParams.set("after", cursor.value);
    connection.url = url.href;
  });

  // Connection state, in words, in the page's role="status" region; the words come from the template
  // (data-text-*), so they are translated with the page. While the page first connects, the region is
  // written without being read out: "Connecting…, Connected." on every page load is noise. Losing the
  // connection, getting it back and closing for good are news, and are read out.
  let loudAgain = null;
  function showStatus(text, state, { quietly = false } = {}) {
    const status = document.getElementById("connection-status");
    if (!status) return;
    clearTimeout(loudAgain);
    if (quietly) status.setAttribute("aria-live", "off");
    else status.removeAttribute("aria-live");
    status.textContent = text;
    status.dataset.state = state;
    if (quietly) loudAgain = setTimeout(() => status.removeAttribute("aria-live"), 500);
  }
  function showState(state, options) {
    const status = document.getElementById("connection-status");
    if (status) showStatus(status.dataset[`text${state[0].toUpperCase()}${state.slice(1)}`], state, options);
  }

  let everOpened = false;
  document.addEventListener("htmx:ws:before:connection", () =>
    showState(everOpened ? "reconnecting" : "connecting", { quietly: !everOpened }),
  );
  document.addEventListener("htmx:ws:after:connection", () => {
    showState("open", { quietly: !everOpened });
    everOpened = true;
  });
  document.addEventListener("htmx:ws:close", (event) => {
    const { connection, code, reason } = event.detail;
    if (reason !== "closed" || connection.config.reconnectCodes.includes(code)) return; // reconnecting: said above
    // Closed for good. Say why, in words true for this close (rooms/sockets/close_codes.py), and
    // stop offering to send: nothing typed from now on could go anywhere.
    const status = document.getElementById("connection-status");
    if (!status) return;
    showStatus(status.getAttribute(`data-text-closed-${code}`) ?? status.dataset.textClosed, "closed");
    document.dispatchEvent(new CustomEvent("chat:closed"));
  });

  // A send the server accepted (composer.js) is confirmed in the same region.
  document.addEventListener("chat:sent", () => showState("sent"));
}
