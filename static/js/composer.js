// The composer: Enter sends, and nothing typed is lost on the way.
"use strict";

// A block of its own: these names stay private to this file.
{
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
    if (incoming.dataset.answers && !incoming.querySelector("[aria-invalid=true]")) {
      document.dispatchEvent(new CustomEvent("chat:sent"));
    }
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

  // On the first open nothing has gone yet, so this resends only after a reconnect.
  document.addEventListener("htmx:wsOpen", (event) => {
    for (const frame of unanswered.values()) {
      if (frame) event.detail.socketWrapper.send(frame);
    }
  });
}
