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

// Sending. The composer empties the moment a message is sent, so the next one
// can be typed at once; the message waits here, by its client id, until the
// server answers for it. The answer is a new set of composer fields (empty, or
// with the refused text and its error); whatever was typed meanwhile is carried
// into them. A frame the server never answered (the socket dropped on the way)
// is sent again after reconnecting: its client id makes the retry safe.
const unanswered = new Map(); // client id -> the frame as sent (null until it has gone)

function newClientId() {
  // crypto.randomUUID needs a secure context; a plain-HTTP deployment has none.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

document.addEventListener("htmx:wsConfigSend", (event) => {
  const form = event.target;
  if (form.id !== "composer") return;
  const clientId = newClientId();
  event.detail.parameters.client_id = clientId;
  unanswered.set(clientId, null);
  form.elements.body.value = ""; // the frame's values were read already
});

document.addEventListener("htmx:wsAfterSend", (event) => {
  let clientId;
  try {
    clientId = JSON.parse(event.detail.message).client_id;
  } catch {
    return;
  }
  if (unanswered.has(clientId)) unanswered.set(clientId, event.detail.message);
});

let carriedText = false;
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const incoming = event.detail.fragment.firstElementChild;
  if (!incoming || incoming.id !== "composer-fields") return;
  unanswered.delete(incoming.dataset.answers);
  const typed = event.detail.target.querySelector("textarea")?.value || "";
  const box = incoming.querySelector("textarea");
  if (!typed || !box) return;
  box.textContent = box.textContent.trim() ? `${box.textContent}\n${typed}` : typed;
  carriedText = true;
});
document.addEventListener("htmx:wsAfterMessage", () => {
  const box = document.querySelector("#composer textarea");
  if (carriedText && box) box.setSelectionRange(box.value.length, box.value.length);
  carriedText = false;
});

let reconnecting = false;
document.addEventListener("htmx:wsClose", () => {
  reconnecting = true;
});
document.addEventListener("htmx:wsOpen", (event) => {
  if (!reconnecting) return;
  reconnecting = false;
  for (const frame of unanswered.values()) {
    if (frame) event.detail.socketWrapper.send(frame);
  }
});

// A message already on the page (same message-<pk> id) replaces itself rather
// than appearing twice, should its fragment ever arrive again.
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  if (event.detail.target.id !== "message-list") return;
  for (const item of Array.from(event.detail.fragment.children)) {
    const shown = item.id && document.getElementById(item.id);
    if (shown) shown.replaceWith(item);
  }
});

// Catch-up after a (re)connect is history, not news: the server marks such
// fragments data-quiet, and the log stops being a live region while they go
// in, so a screen reader does not read out a flood of old messages. Live
// messages are announced as the log's role="log" (polite) intends.
document.addEventListener("htmx:oobBeforeSwap", (event) => {
  if (event.detail.target.id !== "message-list" || !event.detail.fragment.hasAttribute("data-quiet")) return;
  const log = event.detail.target.closest("[role=log]");
  log.setAttribute("aria-live", "off");
  requestAnimationFrame(() => requestAnimationFrame(() => log.setAttribute("aria-live", "polite")));
});

// Moving through messages from the keyboard. In the message box, Alt+Up Arrow
// goes to the newest message; among messages, Up and Down Arrow move, Home and
// End go to the first and last, and Escape returns to the message box. No
// single-character shortcuts (WCAG 2.1.4), so there is nothing to turn off.
function messageArticles() {
  return Array.from(document.querySelectorAll("#message-list > li > article"));
}

function focusMessage(article) {
  if (!article) return;
  article.focus();
  article.scrollIntoView({ block: "nearest" });
}

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (target instanceof HTMLTextAreaElement && target.hasAttribute("data-enter-sends")) {
    if (event.key === "ArrowUp" && event.altKey && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      focusMessage(messageArticles().at(-1));
    }
    return;
  }
  if (!(target instanceof HTMLElement) || target.tagName !== "ARTICLE" || !target.closest("#message-list")) return;
  const articles = messageArticles();
  const here = articles.indexOf(target);
  const moves = { ArrowUp: here - 1, ArrowDown: here + 1, Home: 0, End: articles.length - 1 };
  if (event.key in moves) {
    event.preventDefault();
    focusMessage(articles[Math.max(0, Math.min(articles.length - 1, moves[event.key]))]);
  } else if (event.key === "Escape") {
    event.preventDefault();
    document.querySelector("#composer textarea")?.focus();
  }
});

// "Skip to the newest message" lands on it (without JavaScript it scrolls to the list).
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element && event.target.closest("a[data-focus-newest]");
  if (!link) return;
  event.preventDefault();
  focusMessage(messageArticles().at(-1));
});

// While the tab is hidden, its title counts the messages that arrived, so a
// glance at the tab strip (or a screen reader's window list) says there is news.
const baseTitle = document.title;
let unread = 0;
document.addEventListener("htmx:wsBeforeMessage", (event) => {
  if (!document.hidden) return;
  const arrived = (event.detail.message.match(/<li id="message-/g) || []).length;
  if (!arrived) return;
  unread += arrived;
  document.title = `(${unread}) ${baseTitle}`;
});
document.addEventListener("visibilitychange", () => {
  if (document.hidden) return;
  unread = 0;
  document.title = baseTitle;
});
