// The composer: Enter sends, and nothing typed is lost on the way.
"use strict";

// A block of its own: these names stay private to this file.
{
  function messageBox() {
    return document.querySelector("#composer textarea");
  }

  // Enter sends, Shift+Enter starts a new line. While an input method is
  // composing (Korean, Japanese, Chinese), Enter confirms the composition and
  // must not send half a word.
  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.hasAttribute("data-enter-sends")) return;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    if (!box.form.hasAttribute("data-closed")) box.form.requestSubmit();
  });

  // Sending. The box empties the moment a message is sent, so the next one can
  // be typed at once; the message waits here, by its client id, until the
  // server answers for it. The answer is the composer's fields, which htmx
  // morphs into the page's: the box stays the same element, focused or not,
  // and only its error, its invalid state and the client id change. The box's
  // text is this file's business: what was typed meanwhile stays, and a
  // refused message comes back in front of it. A frame the server never
  // answered (the socket dropped on the way) is sent again after reconnecting:
  // its client id makes the retry safe. hx-ws itself queues what is sent while
  // the socket is down, and sends it, in order, once it is open.
  const unanswered = new Map(); // client id -> {body, frame}: the frame as sent, null until it has gone
  // A refused message goes again, unchanged, under the same client id: had it been stored after all
  // (a retry that met the rate limit on another server before the first copy was committed), the
  // server answers for that copy instead of storing it twice.
  const refusedIds = new Map(); // text -> the client id it was refused under

  function newClientId() {
    // crypto.randomUUID needs a secure context; a plain-HTTP deployment has none.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  document.addEventListener("htmx:ws:before:message:outgoing", (event) => {
    const form = event.target;
    if (form.id !== "composer") return;
    if (form.hasAttribute("data-closed")) {
      event.detail.cancelled = true;
      return;
    }
    const { values } = event.detail.message;
    values.client_id = refusedIds.get(values.body) ?? newClientId();
    refusedIds.delete(values.body);
    unanswered.set(values.client_id, { body: values.body ?? "", frame: null });
    form.elements.body.value = ""; // the frame's values were read already
  });

  document.addEventListener("htmx:ws:after:message:outgoing", (event) => {
    const sent = unanswered.get(event.detail.message.values?.client_id);
    if (sent) sent.frame = event.detail.message.data;
  });

  // The reply, before htmx morphs it in: which send it answers, and whether it was refused.
  let answer = null;
  document.addEventListener("htmx:before:swap", (event) => {
    const fields = event.detail.tasks
      .map((task) => task.fragment.firstElementChild)
      .find((incoming) => incoming?.id === "composer-fields");
    if (!fields) return;
    const sent = unanswered.get(fields.dataset.answers);
    unanswered.delete(fields.dataset.answers);
    answer = {
      refusedText: fields.querySelector("[aria-invalid=true]") ? (sent?.body ?? "") : "",
      typed: messageBox()?.value ?? "",
    };
    if (answer.refusedText) refusedIds.set(answer.refusedText, fields.dataset.answers);
    else if (sent) document.dispatchEvent(new CustomEvent("chat:sent"));
  });

  // ...and after: the box holds what was typed meanwhile, after the refused text if there is one.
  document.addEventListener("htmx:after:swap", () => {
    const box = messageBox();
    if (!answer || !box) return;
    const { refusedText, typed } = answer;
    answer = null;
    const text = refusedText && typed ? `${refusedText}\n${typed}` : refusedText || typed;
    if (box.value === text) return;
    box.value = text;
    box.setSelectionRange(text.length, text.length);
  });

  // On the first open nothing has gone yet, so this resends only after a reconnect,
  // before hx-ws sends what it queued meanwhile.
  document.addEventListener("htmx:ws:after:connection", (event) => {
    for (const { frame } of unanswered.values()) {
      if (frame) event.detail.connection.socket.send(frame);
    }
  });

  // The socket closed for good (connection.js says why): nothing can be sent from this page any more.
  // What had not been answered goes back into the box, so no text is lost from sight.
  document.addEventListener("chat:closed", () => {
    const form = document.getElementById("composer");
    const box = messageBox();
    if (!form || !box) return;
    form.setAttribute("data-closed", "");
    const waiting = Array.from(unanswered.values(), (sent) => sent.body);
    unanswered.clear();
    box.value = [...waiting, box.value].filter(Boolean).join("\n");
    box.readOnly = true;
    form.querySelector("button[type=submit]").disabled = true;
  });
}
