// What the reader has read: messages that come into view while the tab is visible are marked read on
// the server (rooms/people/unread.py), a little after they are seen, in one request for several.
// Without JavaScript, opening the room marks what the page shows; this adds what is read afterwards.
"use strict";

// A block of its own: these names stay private to this file.
{
  const DELAY_MS = 1500;
  let sent = 0; // the newest message the server has been told of
  let seen = 0; // the newest message seen, perhaps not told yet
  let timer = null;

  function messageLog() {
    return document.querySelector(".message-log[data-read-url]");
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    const headers = document.body.getAttribute("hx-headers:inherited");
    return headers ? JSON.parse(headers)["X-CSRFToken"] : "";
  }

  function tell() {
    timer = null;
    const log = messageLog();
    if (!log || seen <= sent) return;
    const seq = seen;
    fetch(log.dataset.readUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      body: new URLSearchParams({ seq: String(seq) }),
    })
      .then((response) => {
        if (response.ok) sent = Math.max(sent, seq);
      })
      .catch(() => {}); // offline: the next message seen tells it again
  }

  // Leaving the page before the server was told (another room, a link): tell it on the way out. A beacon
  // carries no headers, so the CSRF token goes as a form field.
  addEventListener("pagehide", () => {
    const log = messageLog();
    if (!log || seen <= sent) return;
    clearTimeout(timer);
    const form = new FormData();
    form.append("seq", String(seen));
    form.append("csrfmiddlewaretoken", csrfToken());
    navigator.sendBeacon(log.dataset.readUrl, form);
    sent = seen;
  });

  function sawMessage(item) {
    const seq = Number(item.dataset.seq);
    if (!(seq > seen)) return;
    seen = seq;
    timer ??= setTimeout(tell, DELAY_MS);
  }

  const observer = new IntersectionObserver(
    (entries) => {
      if (document.hidden) return;
      for (const entry of entries) if (entry.isIntersecting) sawMessage(entry.target);
    },
    { threshold: 0.5 },
  );

  function watchMessages() {
    if (!messageLog()) return;
    // Observing a message twice is harmless; new ones arrive with frames and edits' answers.
    for (const item of document.querySelectorAll("#message-list > li.message[data-seq]")) observer.observe(item);
  }

  document.addEventListener("DOMContentLoaded", watchMessages);
  document.addEventListener("htmx:after:swap", watchMessages);

  // Back to a tab that was hidden: what is in view now counts as read (the observer says nothing of
  // what was already in view while the tab was hidden).
  document.addEventListener("visibilitychange", () => {
    const log = messageLog();
    if (document.hidden || !log) return;
    const view = log.getBoundingClientRect();
    for (const item of log.querySelectorAll("#message-list > li.message[data-seq]")) {
      const box = item.getBoundingClientRect();
      if (box.top < view.bottom && box.bottom > view.top) sawMessage(item);
    }
  });
}
