// The message box's size and length: it grows with its text (by CSS, field-sizing, where the browser can;
// else here), and near the length limit a counter says how many characters are left, or how many too many.
// Nothing is cut: text over the limit is sent and refused by the server with its error, next to the box.
// The counter is shown as the text changes; a screen reader hears it only as the text crosses a threshold.
"use strict";

// A block of its own: these names stay private to this file.
{
  const NEAR = 400; // the counter appears this many characters before the limit
  const THRESHOLDS = [400, 200, 100, 50, 0]; // characters left at which it is read out
  let level = -1; // the threshold last crossed (an index into THRESHOLDS; -1 below the first; 5 over)

  function box() {
    return document.querySelector("#composer textarea");
  }

  function grow(textarea) {
    if (CSS.supports("field-sizing", "content")) return;
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight + 2}px`;
  }

  function levelOf(left) {
    if (left < 0) return THRESHOLDS.length;
    let reached = -1;
    THRESHOLDS.forEach((threshold, index) => {
      if (left <= threshold) reached = index;
    });
    return reached;
  }

  function count(speak) {
    const textarea = box();
    const counter = document.getElementById("composer-counter");
    const status = document.getElementById("composer-counter-status");
    if (!textarea || !counter || !status) return;
    grow(textarea);
    const limit = Number(counter.dataset.limit);
    // Characters, as the server counts them: it strips the text first (a form field's `strip`).
    const left = limit - Array.from(textarea.value.trim()).length;
    const now = levelOf(left);
    counter.hidden = left > NEAR;
    counter.toggleAttribute("data-over", left < 0);
    const words = left < 0 ? counter.dataset.textOver.replace("{count}", -left) : counter.dataset.textLeft.replace("{count}", left);
    counter.textContent = counter.hidden ? "" : words;
    if (speak && now !== level && now >= 0) status.textContent = words;
    if (now < 0) status.textContent = "";
    level = now;
  }

  document.addEventListener("input", (event) => {
    if (event.target === box()) count(true);
  });
  // The box empties when a message is sent, and a refused one comes back into it: neither is typing.
  document.addEventListener("htmx:ws:after:message:outgoing", () => count(false));
  document.addEventListener("htmx:after:swap", () => count(false));
  document.addEventListener("DOMContentLoaded", () => count(false));
}
