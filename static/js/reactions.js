// The reader's own reactions: a message's frame is the same for everybody (DESIGN.md §3), naming everyone who
// reacted; this marks the reader's own as pressed and says "you" for them, as the page served to them does.
// The look of pressed comes from the page's style (data-reactor-ids), so it shows even before this runs.
"use strict";

// A block of its own: these names stay private to this file.
{
  function viewerId() {
    return document.getElementById("announcer")?.dataset.viewerId ?? "";
  }

  // "Ana", "Ana and you", "Ana, Ben and you": the joining words are the frame's own (data-text-and), in its language.
  function joined(parts, pattern) {
    const fragment = document.createDocumentFragment();
    if (parts.length === 1) {
      fragment.append(parts[0]);
      return fragment;
    }
    const names = document.createDocumentFragment();
    parts.slice(0, -1).forEach((part, index) => names.append(...(index ? [", ", part] : [part])));
    for (const piece of pattern.split(/(\{names\}|\{last\})/)) {
      if (piece === "{names}") fragment.append(names);
      else if (piece === "{last}") fragment.append(parts[parts.length - 1]);
      else if (piece) fragment.append(piece);
    }
    return fragment;
  }

  function express(root) {
    const viewer = viewerId();
    if (!viewer) return;
    for (const button of root.querySelectorAll(".reaction button[data-reactor-ids]")) {
      const own = button.dataset.reactorIds.split(" ").includes(viewer);
      button.setAttribute("aria-pressed", String(own));
      const names = button.querySelector(".reactor-names");
      const words = button.closest(".reactions")?.dataset;
      if (!own || !names || !words) continue;
      const last = names.lastElementChild;
      if (last && last.dataset.reactorId === viewer && last.textContent === words.textYou) continue; // said already
      const others = Array.from(names.querySelectorAll("[data-reactor-id]"))
        .filter((name) => name.dataset.reactorId !== viewer)
        .map((name) => name.cloneNode(true));
      const you = document.createElement("span");
      you.dataset.reactorId = viewer;
      you.textContent = words.textYou;
      names.replaceChildren(joined([...others, you], words.textAnd));
    }
  }

  document.addEventListener("DOMContentLoaded", () => express(document));
  document.addEventListener("htmx:after:swap", () => express(document)); // frames, and reactions' answers

  // A reaction's answer replaces its message: if the button used is gone with it (the last of its emoji taken
  // back, or the "Add reaction" list closed once it was used), the focus goes to that emoji's button, else to
  // "Add reaction".
  let pending = null;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.closest(".reactions, .reaction-picker")) return;
    const emoji = event.submitter?.value || form.elements.namedItem("emoji")?.value || "";
    pending = { id: form.closest("li.message")?.id, emoji: emoji.trim(), picked: !!form.closest(".reaction-picker") };
  });
  document.addEventListener("htmx:after:settle", (event) => {
    const target = event.target;
    if (!pending || !(target instanceof Element)) return;
    if (target.id === "message-notice") {
      pending = null; // refused: the list stays open, and the focus where it was, to try again
      return;
    }
    if (target.id !== pending.id) return; // another message's change
    const { id, emoji, picked } = pending;
    pending = null;
    const item = document.getElementById(id);
    if (!item) return;
    // Chosen from "Add reaction": the list has done its job (a frame from others leaves it as it was).
    if (picked) item.querySelector(".reaction-picker")?.removeAttribute("open");
    const active = document.activeElement;
    if (active && active !== document.body && active.checkVisibility() && item.contains(active)) return;
    const button = Array.from(item.querySelectorAll(".reaction button")).find((shown) => shown.value === emoji);
    (button ?? item.querySelector(".reaction-picker > summary"))?.focus();
  });
}
