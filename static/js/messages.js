// The message list as it grows and changes: in view, in local time, never twice, counted in a hidden tab's title.
"use strict";

// A block of its own: these names stay private to this file.
{
  // Keep the newest message in view: on load, and whenever one arrives while
  // the reader is already at the bottom (never yank someone reading history).
  function messageLog() {
    return document.querySelector(".message-log");
  }

  // The log lays its content out from its foot (column-reverse, chat.css): there scrollTop is 0 at the
  // bottom and negative above it; in a log laid out from the top, it is the distance from the top.
  function isNearBottom(log) {
    const fromBottom =
      getComputedStyle(log).flexDirection === "column-reverse"
        ? -log.scrollTop
        : log.scrollHeight - log.scrollTop - log.clientHeight;
    return fromBottom < 80;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const log = messageLog();
    if (log) log.scrollTop = log.scrollHeight;
    // A window too short for the log to scroll by itself (400% zoom: chat.css) scrolls as a page: to the
    // newest message too, unless the page opens on a message or a page of history (keyboard.js).
    const paging = /[?&](before|after|around)=/.test(location.search);
    if (log && log.scrollHeight <= log.clientHeight && !location.hash && !paging) {
      document.querySelector("#message-list > li:last-child")?.scrollIntoView({ block: "end" });
      // The message box below it has the focus (autofocus), and the browser may have scrolled to it before
      // this ran, or may not scroll again after: bring it into view now, the newest message just above it.
      document.querySelector("#composer textarea")?.scrollIntoView({ block: "nearest" });
    }
  });

  let wasNearBottom = true;
  document.addEventListener("htmx:ws:before:message:incoming", () => {
    const log = messageLog();
    wasNearBottom = log ? isNearBottom(log) : false;
  });
  document.addEventListener("htmx:ws:after:message:incoming", () => {
    const log = messageLog();
    if (log && wasNearBottom) log.scrollTop = log.scrollHeight;
  });

  // An edit box opens (or comes back with its error) in its message's place, taller than the message:
  // bring all of it into view, Save and Cancel too. Focusing the box scrolls only as far as the box.
  document.addEventListener("htmx:after:settle", (event) => {
    const item = event.target;
    if (!(item instanceof Element) || !item.matches("#message-list > li.editing")) return;
    item.scrollIntoView({ block: "nearest" });
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
  document.addEventListener("htmx:after:swap", () => localiseTimes(document)); // frames, and edits' answers

  // A message already on the page (same message-<pk> id) replaces itself rather
  // than appearing twice, should its fragment ever arrive again.
  document.addEventListener("htmx:before:swap", (event) => {
    for (const task of event.detail.tasks) {
      const incoming = task.fragment.firstElementChild;
      if (task.target.id !== "message-list" || !incoming) continue;
      for (const item of Array.from(incoming.children)) {
        const shown = item.id && document.getElementById(item.id);
        if (shown) shown.replaceWith(item);
      }
    }
  });

  // While the tab is hidden, its title counts the messages that arrived, so a
  // glance at the tab strip (or a screen reader's window list) says there is news.
  // Only new messages count: an edit or a deletion replaces one in its place.
  const baseTitle = document.title;
  let unread = 0;
  document.addEventListener("htmx:before:swap", (event) => {
    if (!document.hidden) return;
    let arrived = 0;
    for (const task of event.detail.tasks) {
      const incoming = task.fragment.firstElementChild;
      if (task.target.id !== "message-list" || !incoming) continue;
      arrived += Array.from(incoming.children).filter((item) => item.matches("li.message")).length;
    }
    if (!arrived) return;
    unread += arrived;
    document.title = `(${unread}) ${baseTitle}`;
  });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) return;
    unread = 0;
    document.title = baseTitle;
  });
}
