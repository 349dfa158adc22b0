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
  //
  // What arrives close together is said together: once 600 ms pass without
  // another message, or 2 s after the first one waiting, whichever comes first,
  // so that steady traffic is still heard every 2 s. A run of one person's
  // messages names them once; a line break is a pause (a full stop where the
  // line has no punctuation of its own); a long message is cut, saying how
  // much more there is to read in the log.
  const BURST = 3;
  const SETTLE_MS = 600;
  const MAX_WAIT_MS = 2000;
  const LONGEST = 300; // characters read of one message
  let heard = []; // [author, text] of each message waiting to be said
  let settleTimer = null;
  let deadlineTimer = null;

  // Who a message mentions was worked out by the server when it was written (rooms/messages/mentions.py).
  function mentions(item, viewerId) {
    return (item.dataset.mentions ?? "").split(" ").includes(viewerId);
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

  // A message's lines as a browser shows them: its text, broken where the markup has <br> or a block
  // (a paragraph, a list item, a quote, code).
  const BLOCKS = /^(P|LI|BLOCKQUOTE|PRE|UL|OL)$/;
  function linesOf(body) {
    const lines = [""];
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeName === "BR") lines.push("");
        else if (child.nodeType === Node.TEXT_NODE) lines[lines.length - 1] += child.textContent;
        else if (BLOCKS.test(child.nodeName)) {
          lines.push("");
          walk(child);
          lines.push("");
        } else walk(child);
      }
    };
    walk(body);
    return lines.map((line) => line.replace(/\s+/g, " ").trim()).filter(Boolean);
  }

  function spoken(body, moreText) {
    let text = "";
    for (const line of linesOf(body)) {
      if (text && !/[.!?…:;,。！？]$/u.test(text)) text += ".";
      text += text ? ` ${line}` : line;
    }
    if (text.length <= LONGEST) return text;
    const cut = text.slice(0, LONGEST).replace(/\s+\S*$/u, "");
    return `${cut} ${moreText.replace("{count}", text.length - cut.length)}`;
  }

  // A message's attachment, said after its text: an image by its alt text, a file by its name.
  function attachmentOf(item, { textImage, textFile }) {
    const attachment = item.querySelector(".attachment");
    if (!attachment) return "";
    const image = attachment.querySelector("img");
    const name = (image ? image.alt : attachment.querySelector("bdi")?.textContent ?? "").trim();
    const isImage = attachment.classList.contains("attachment-image");
    return (isImage ? textImage : textFile).replace("{name}", name);
  }

  // "Ana: one … two … Ben: three": each author named once for a run of their messages.
  function sentence(messages) {
    const parts = [];
    messages.forEach(([author, text], index) => {
      parts.push(index > 0 && messages[index - 1][0] === author ? text : `${author}: ${text}`);
    });
    return parts.join(" … ");
  }

  function sayWhatWasHeard() {
    clearTimeout(settleTimer);
    clearTimeout(deadlineTimer);
    settleTimer = deadlineTimer = null;
    const announcer = document.getElementById("announcer");
    if (!announcer || !heard.length) return;
    const text =
      heard.length >= BURST ? announcer.dataset.textBurst.replace("{count}", heard.length) : sentence(heard);
    heard = [];
    announce(text);
    messagesSaidAt = performance.now();
  }

  // After a reconnect (not the first connection), what the catch-up brought is said once, as a count:
  // "5 new messages while you were away". The messages themselves are not read out.
  let connections = 0;
  let awaitingCatchUp = false;
  document.addEventListener("htmx:ws:after:connection", () => {
    connections += 1;
    awaitingCatchUp = connections > 1;
  });

  function caughtUp(tasks, viewerId) {
    let count = 0;
    for (const task of tasks) {
      const list = task.fragment.firstElementChild;
      if (task.target.id !== "message-list" || !list?.hasAttribute("data-quiet")) continue;
      for (const item of list.children) {
        if (item.matches("li.missed")) count += Number(item.dataset.count) || 0;
        else if (item.matches("li.message") && item.dataset.authorId !== viewerId && !document.getElementById(item.id)) {
          count += 1;
        }
      }
    }
    return count;
  }

  document.addEventListener("htmx:before:swap", (event) => {
    const announcer = document.getElementById("announcer");
    if (!announcer || !awaitingCatchUp) return;
    const count = caughtUp(event.detail.tasks, announcer.dataset.viewerId);
    if (!count || announcer.dataset.announce === "none") return;
    awaitingCatchUp = false;
    const { textAwayOne, textAway } = announcer.dataset;
    announce(count === 1 ? textAwayOne : textAway.replace("{count}", count));
  });

  // Who is typing (typing.js sends it only for a reader who chose to hear it, in Settings): said after
  // messages, never over them (not while one waits to be said, nor within 2 s of one), at most every
  // 10 s, and each line once: someone typing on and on is not read out again and again.
  const TYPING_EVERY_MS = 10000;
  const TYPING_AFTER_MESSAGES_MS = 2000;
  let messagesSaidAt = -Infinity;
  let typingSaidAt = -Infinity;
  let typingNow = "";
  let typingSaid = "";
  let typingTimer = null;

  function sayWhoIsTyping() {
    clearTimeout(typingTimer);
    typingTimer = null;
    if (!typingNow || typingNow === typingSaid || !document.getElementById("announcer")) return;
    const now = performance.now();
    const wait = Math.max(
      typingSaidAt + TYPING_EVERY_MS - now,
      messagesSaidAt + TYPING_AFTER_MESSAGES_MS - now,
      heard.length ? TYPING_AFTER_MESSAGES_MS : 0,
    );
    if (wait > 0) {
      typingTimer = setTimeout(sayWhoIsTyping, wait);
      return;
    }
    typingSaid = typingNow;
    typingSaidAt = now;
    announce(typingNow);
  }

  document.addEventListener("chat:typing", (event) => {
    typingNow = event.detail.text.trim();
    if (!typingNow) typingSaid = ""; // nobody types any more: the next one to type is news again
    sayWhoIsTyping();
  });

  document.addEventListener("htmx:before:swap", (event) => {
    const announcer = document.getElementById("announcer");
    if (!announcer) return;
    const { announce: mode, viewerId, textMore } = announcer.dataset;
    if (mode === "none") return;
    const before = heard.length;
    for (const item of arrivingMessages(event.detail.tasks)) {
      if (item.dataset.authorId === viewerId || document.getElementById(item.id)) continue;
      const body = item.querySelector(".body");
      if (mode === "mentions" && !mentions(item, viewerId)) continue;
      const said = [spoken(body, textMore), attachmentOf(item, announcer.dataset)].filter(Boolean).join(" ");
      heard.push([item.querySelector(".author").textContent.trim(), said]);
    }
    if (heard.length === before) return;
    clearTimeout(settleTimer);
    settleTimer = setTimeout(sayWhatWasHeard, SETTLE_MS);
    deadlineTimer ??= setTimeout(sayWhatWasHeard, MAX_WAIT_MS);
  });
}
