// The little behaviour htmx attributes cannot express without eval (which our
// htmx config turns off). Everything here is an enhancement: without it, the
// Send button and a plain form POST still work.
"use strict";

// Enter sends, Shift+Enter starts a new line. While an input method is
// composing (Korean, Japanese, Chinese), Enter confirms the composition and
// must not send half a word.
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLTextAreaElement) || !box.hasAttribute("data-enter-sends")) return;
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  box.form.requestSubmit();
});

// Keep the newest message in view: on load, and whenever one arrives while
// the reader is already at the bottom (never yank someone reading history).
function messageLog() {
  return document.querySelector(".message-log");
}

function isNearBottom(log) {
  return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
}

document.addEventListener("DOMContentLoaded", () => {
  const log = messageLog();
  if (log) log.scrollTop = log.scrollHeight;
});

let wasNearBottom = true;
document.addEventListener("htmx:wsBeforeMessage", () => {
  const log = messageLog();
  wasNearBottom = log ? isNearBottom(log) : false;
});
document.addEventListener("htmx:wsAfterMessage", () => {
  const log = messageLog();
  if (log && wasNearBottom) log.scrollTop = log.scrollHeight;
});

// Messages are rendered once for everybody, so the server writes times in UTC;
// each reader's browser rewrites them into its own time zone. Today's messages
// show the time only; older ones the date too; the full date is in the tooltip.
function localiseTimes(root) {
  const lang = document.documentElement.lang || undefined;
  const timeOnly = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
  const dateAndTime = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  const full = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "long" });
  const today = new Date().toDateString();
  for (const time of root.querySelectorAll("time[data-localise]")) {
    const when = new Date(time.dateTime);
    if (Number.isNaN(when.getTime())) continue;
    time.textContent = (when.toDateString() === today ? timeOnly : dateAndTime).format(when);
    time.title = full.format(when);
    time.removeAttribute("data-localise");
  }
}

document.addEventListener("DOMContentLoaded", () => localiseTimes(document));
document.addEventListener("htmx:wsAfterMessage", () => localiseTimes(document));

// On every (re)connect the socket's address says which message this page
// shows last, so the server sends exactly what came after it. The extension
// reuses its first address for reconnects; this keeps the cursor current.
htmx.createWebSocket = (address) => {
  const url = new URL(address, window.location.href);
  const newest = document.querySelector("#message-list > li[data-seq]:last-of-type");
  if (newest) url.searchParams.set("after", newest.dataset.seq);
  return new WebSocket(url);
};

// Connection state, in words, in the page's role="status" region; the words
// come from the template (data-text-*), so they are translated with the page.
function showStatus(state) {
  const status = document.getElementById("connection-status");
  if (!status) return;
  status.textContent = status.dataset[`text${state[0].toUpperCase()}${state.slice(1)}`];
  status.dataset.state = state;
}
let everOpened = false;
document.addEventListener("htmx:wsConnecting", () => showStatus(everOpened ? "reconnecting" : "connecting"));
document.addEventListener("htmx:wsOpen", () => {
  everOpened = true;
  showStatus("open");
});
document.addEventListener("htmx:wsClose", (event) => {
  // The extension retries only after these codes (see htmx-ext-ws); any other close is final.
  const retried = [1006, 1011, 1012, 1013].includes(event.detail.event.code);
  showStatus(retried ? "reconnecting" : "closed");
});
