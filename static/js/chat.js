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
