// News of the reader's other rooms (templates/includes/news.html, rooms/people/news.py): each new message
// there arrives as a data item, the same for every reader; this counts it as the reader chose for that
// room, in the lists of rooms on the page, and says so when it mentions them. Counts as words, as the
// server writes them ("3 unread, 1 mention"), from the page's own translations.
"use strict";

{
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function words(box, messages, mentions) {
    const parts = [];
    if (messages) parts.push(messages === 1 ? box.dataset.textUnreadOne : fill(box.dataset.textUnread, { count: messages }));
    if (mentions) parts.push(mentions === 1 ? box.dataset.textMentionOne : fill(box.dataset.textMentions, { count: mentions }));
    return parts.join(", ");
  }

  function roomName(roomId, item) {
    if (item.dataset.roomName) return item.dataset.roomName;
    // A conversation: called as this page calls it, in its list of rooms.
    const count = document.getElementById("unread-" + roomId);
    const link = count && count.parentElement.querySelector("a");
    return link ? link.textContent.trim() : "";
  }

  function tellOfMention(box, item) {
    const notice = document.getElementById("news-notice");
    if (!notice) return;
    const room = roomName(item.dataset.room, item);
    const author = item.dataset.authorName;
    const link = document.createElement("a");
    link.href = item.dataset.url;
    link.textContent = room
      ? fill(box.dataset.textMentionedIn, { author, room })
      : fill(box.dataset.textMentioned, { author });
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.textContent = "×";
    dismiss.setAttribute("aria-label", box.dataset.textDismiss);
    dismiss.addEventListener("click", () => notice.replaceChildren());
    notice.replaceChildren(link, dismiss);
  }

  function take(box, item) {
    const viewer = box.dataset.viewerId;
    const roomId = item.dataset.room;
    if (item.dataset.author === viewer || roomId === box.dataset.shownRoom) return;
    const mentioned = (item.dataset.mentions || "").split(" ").includes(viewer);
    const count = document.getElementById("unread-" + roomId);
    const level = count ? count.dataset.notify : "all";
    if (level === "none" || (level === "mentions" && !mentioned)) return;
    if (count) {
      const messages = (Number(count.dataset.messages) || 0) + (level === "all" ? 1 : 0);
      const mentions = (Number(count.dataset.mentions) || 0) + (mentioned ? 1 : 0);
      count.dataset.messages = String(messages);
      count.dataset.mentions = String(mentions);
      count.textContent = words(box, messages, mentions);
    }
    if (mentioned) tellOfMention(box, item);
  }

  // A room the reader joined in another page (or was added to, or written to first): into its list, unless
  // this page lists it already (served after the joining).
  function listJoined(item) {
    const entry = item.content.firstElementChild;
    const into = document.getElementById(item.dataset.joined);
    if (!entry || !into || document.getElementById(entry.id)) return;
    into.prepend(entry); // the lists are newest activity first
  }

  // The page's other scripts listen to the room socket's events on the document (connection.js says
  // "Connected.", announcer.js counts reconnections...): this socket's stay with it.
  const SOCKET_EVENTS = [
    "htmx:ws:before:connection",
    "htmx:ws:after:connection",
    "htmx:ws:before:message:incoming",
    "htmx:ws:after:message:incoming",
    "htmx:ws:before:message:outgoing",
    "htmx:ws:after:message:outgoing",
    "htmx:ws:close",
    "htmx:ws:error",
  ];

  function watch() {
    const box = document.getElementById("news");
    if (!box) return;
    const socket = box.closest(".news-socket");
    for (const name of SOCKET_EVENTS) socket.addEventListener(name, (event) => event.stopPropagation());
    new MutationObserver(() => {
      for (const item of box.querySelectorAll("data")) {
        item.remove();
        take(box, item);
      }
      for (const item of box.querySelectorAll("template[data-joined]")) {
        item.remove();
        listJoined(item);
      }
    }).observe(box, { childList: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
}
