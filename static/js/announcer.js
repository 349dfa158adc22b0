// What a screen reader is told of new messages.
"use strict";

// A block of its own: these names stay private to this file.
{
  // Announcing other people's messages. The log keeps role="log" for reading
  // and navigating, but is not a live region (aria-live="off"): what it would
  // read out (author, time, every line, a flood after a reconnect) cannot be
  // tuned. Instead one visually hidden polite region says "author: text" for
  // each new message from someone else, as the reader chose in their settings
  // (every message, only mentions of them, nothing); three or more at once
  // become "N new messages in room". Catch-up (data-quiet) and one's own
  // messages are not announced; a send is confirmed by "Sent." in the status.
  const BURST = 3;
  const SETTLE_MS = 600;
  let heard = [];
  let settleTimer = null;

  function mentions(text, username) {
    const escaped = username.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // Usernames may hold . @ + - _; a trailing full stop still ends the mention.
    return new RegExp(`(^|[^\\w@])@${escaped}(?![\\w@+-]|\\.\\w)`, "iu").test(text);
  }

  function announce(text) {
    const announcer = document.getElementById("announcer");
    announcer.textContent = "";
    // A moment empty, so that the same words twice are still announced twice.
    setTimeout(() => {
      announcer.textContent = text;
    }, 50);
  }

  // Each frame is a set of out-of-band swaps; those into the message list bring messages.
  function arrivingMessages(tasks) {
    return tasks
      .filter((task) => task.target.id === "message-list")
      .map((task) => task.fragment.firstElementChild)
      .filter((list) => list && !list.hasAttribute("data-quiet"))
      .flatMap((list) => Array.from(list.querySelectorAll("li.message")));
  }

  document.addEventListener("htmx:before:swap", (event) => {
    const announcer = document.getElementById("announcer");
    if (!announcer) return;
    const { announce: mode, viewerId, viewerName } = announcer.dataset;
    if (mode === "none") return;
    for (const item of arrivingMessages(event.detail.tasks)) {
      if (item.dataset.authorId === viewerId || document.getElementById(item.id)) continue;
      const body = item.querySelector(".body").textContent.trim();
      if (mode === "mentions" && !mentions(body, viewerName)) continue;
      heard.push(`${item.querySelector(".author").textContent.trim()}: ${body}`);
    }
    if (!heard.length) return;
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      const text = heard.length >= BURST ? announcer.dataset.textBurst.replace("{count}", heard.length) : heard.join(" … ");
      heard = [];
      announce(text);
    }, SETTLE_MS);
  });
}
