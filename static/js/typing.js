// Who is typing: this page tells the room while its person types, and names the others who do.
"use strict";

// A block of its own: these names stay private to this file.
{
  // Telling. While the message box is typed in, the page sends {"typing": true}
  // over the room socket, at most every 3 s (the server relays at most one per
  // 2.5 s of a socket and ignores the rest: rooms/people/typing.py). Nothing is
  // sent for an empty box, nor once the socket has closed for good.
  const SEND_EVERY_MS = 3000;
  // Showing. Each typist the server names stays in the line under the composer
  // until 5 s after the last time it named them, and goes at once when their
  // message arrives; a frame still on its way then does not bring them back.
  // The line is no live region: a screen reader reads it out only for a reader
  // who chose so in Settings, through the page's one announcer (announcer.js).
  const SHOWN_FOR_MS = 5000;
  const LATE_AFTER_MESSAGE_MS = 1500;

  let socket = null;
  let lastSent = -Infinity;
  document.addEventListener("htmx:ws:after:connection", (event) => {
    socket = event.detail.connection.socket;
    lastSent = -Infinity;
  });

  document.addEventListener("input", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.closest("#composer")) return;
    if (box.form.hasAttribute("data-closed") || !box.value.trim() || socket?.readyState !== WebSocket.OPEN) return;
    const now = performance.now();
    if (now - lastSent < SEND_EVERY_MS) return;
    lastSent = now;
    socket.send(JSON.stringify({ typing: true }));
  });

  const forgetting = new Map(); // user id -> the timer that forgets them as a typist
  const messageArrived = new Map(); // user id -> when their latest message arrived

  function forget(userId) {
    clearTimeout(forgetting.get(userId));
    forgetting.delete(userId);
    document.getElementById(`typist-${userId}`)?.remove();
    showTypists();
  }

  document.addEventListener("htmx:before:swap", (event) => {
    for (const task of event.detail.tasks) {
      const incoming = task.fragment.firstElementChild;
      if (!incoming) continue;
      if (task.target.id === "typists") {
        for (const item of Array.from(incoming.children)) {
          const { userId } = item.dataset;
          if (performance.now() - (messageArrived.get(userId) ?? -Infinity) < LATE_AFTER_MESSAGE_MS) {
            item.remove();
            continue;
          }
          // Named again: they keep their place in the line.
          document.getElementById(item.id)?.replaceWith(item);
          clearTimeout(forgetting.get(userId));
          forgetting.set(userId, setTimeout(() => forget(userId), SHOWN_FOR_MS));
        }
      } else if (task.target.id === "message-list" && !incoming.hasAttribute("data-quiet")) {
        for (const message of incoming.querySelectorAll("li.message")) {
          messageArrived.set(message.dataset.authorId, performance.now());
          forget(message.dataset.authorId);
        }
      }
    }
  });
  document.addEventListener("htmx:after:swap", () => showTypists());

  // "Ana is typing…", "Ana and Ben are typing…", "Several people are typing…": the words from the page
  // (translated with it), the names as the server wrote them (<bdi>), put together as nodes, never as markup.
  let shownKey = "";
  function showTypists() {
    const line = document.querySelector(".typing");
    const status = document.getElementById("typing-status");
    if (!line || !status) return;
    const typists = Array.from(document.querySelectorAll("#typists > li")).filter(
      (item) => item.dataset.userId !== line.dataset.viewerId,
    );
    const key = typists.map((item) => item.id).join(" ");
    if (key === shownKey) return;
    shownKey = key;
    const { textOne, textTwo, textSeveral } = line.dataset;
    const words = typists.length === 0 ? "" : ([textOne, textTwo][typists.length - 1] ?? textSeveral);
    const names = typists.map((item) => Array.from(item.childNodes, (node) => node.cloneNode(true)));
    const placed = new Map([["{name}", names[0]], ["{first}", names[0]], ["{second}", names[1]]]);
    const nodes = words.split(/(\{name\}|\{first\}|\{second\})/).flatMap((part) => placed.get(part) ?? [part]);
    status.replaceChildren(...nodes);
    if (line.dataset.announce === "true") {
      document.dispatchEvent(new CustomEvent("chat:typing", { detail: { text: status.textContent } }));
    }
  }
}
