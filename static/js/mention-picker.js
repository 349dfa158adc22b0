// The composer's @ suggestions (templates/rooms/mention_picker.html): typing @ and the start of a name
// offers the room's members who match, from the server, in a list under the box. Up and Down choose,
// Enter or Tab puts "@username " in the text, Escape closes the list and leaves the text as typed. The
// focus stays in the box throughout; its aria-activedescendant names the person offered, and a polite
// region says how many match. Without this file one types the username; the server reads it the same.
"use strict";

{
  const WAIT_MS = 120; // after the last keystroke, before asking the server
  // "@" not inside a word or an address, then what a username may hold, up to the caret (rooms/messages/mentions.py).
  const TYPED_MENTION = /(?:^|[^\w@])@([\w.@+-]*)$/;
  let timer = null;
  let asked = 0; // the newest request: older answers are dropped
  let open = null; // {start, end} of the "@name" being completed, while the list is shown

  const parts = () => {
    const picker = document.querySelector("#composer .mention-picker");
    if (!picker) return null;
    return {
      picker,
      box: document.querySelector("#composer textarea"),
      list: picker.querySelector("[role=listbox]"),
      status: picker.querySelector("[aria-live]"),
    };
  };

  function options(list) {
    return [...list.querySelectorAll("[role=option]")];
  }

  function describe(box, list) {
    // Set again after every swap: the composer's fields are morphed from the server's markup, without these.
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
  }

  function close() {
    const found = parts();
    open = null;
    if (!found) return;
    found.list.hidden = true;
    found.list.replaceChildren();
    found.box.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    const { box, list } = parts();
    const all = options(list);
    if (!all.length) return;
    const chosen = all[(index + all.length) % all.length];
    for (const option of all) option.setAttribute("aria-selected", String(option === chosen));
    box.setAttribute("aria-activedescendant", chosen.id);
    chosen.scrollIntoView({ block: "nearest" });
  }

  function chosenIndex(list) {
    return options(list).findIndex((option) => option.getAttribute("aria-selected") === "true");
  }

  function insert(option) {
    const { box } = parts();
    const { start, end } = open;
    const text = `@${option.dataset.username} `;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    const caret = start + text.length;
    box.setSelectionRange(caret, caret);
    close();
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true })); // the counter and the box's height follow
  }

  function say(status, count) {
    const { textNone, textOne, textMany } = status.dataset;
    status.textContent = count === 0 ? textNone : count === 1 ? textOne : textMany.replace("{count}", count);
  }

  async function suggest(typed, start, end) {
    const found = parts();
    if (!found) return;
    const request = ++asked;
    let html;
    try {
      const response = await fetch(`${found.picker.dataset.url}?q=${encodeURIComponent(typed)}`, {
        credentials: "same-origin",
      });
      if (!response.ok) return;
      html = await response.text();
    } catch {
      return; // offline: no suggestions, the text is still the person's to type
    }
    // Asked again since, or the text changed meanwhile (sent, say): this answer is for nothing now.
    if (request !== asked || found.box.value.slice(start, end) !== `@${typed}`) return;
    // Our own server's markup, each name escaped there (templates/rooms/mention_picker.html#options).
    found.list.innerHTML = html;
    const offered = options(found.list);
    // A name typed whole needs no offer: Enter then sends, as it does anywhere else in the text.
    if (typed && offered.some((option) => option.dataset.username.toLowerCase() === typed.toLowerCase())) {
      close();
      return;
    }
    const count = offered.length;
    say(found.status, count);
    if (!count) {
      close();
      return;
    }
    open = { start, end };
    found.list.hidden = false;
    choose(0);
  }

  document.addEventListener("input", (event) => {
    const found = parts();
    if (!found || event.target !== found.box) return;
    describe(found.box, found.list);
    clearTimeout(timer);
    const caret = found.box.selectionStart;
    const typed = TYPED_MENTION.exec(found.box.value.slice(0, caret));
    if (!typed) {
      close();
      return;
    }
    const start = caret - typed[1].length - 1;
    timer = setTimeout(() => suggest(typed[1], start, caret), WAIT_MS);
  });

  // In the capture phase, before the composer's own keys (Enter sends, Up edits, Escape...): while the
  // list is open, these keys are the list's.
  document.addEventListener(
    "keydown",
    (event) => {
      const found = parts();
      if (!open || !found || event.target !== found.box || event.isComposing) return;
      const index = chosenIndex(found.list);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        choose(index + (event.key === "ArrowDown" ? 1 : -1));
      } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
        insert(options(found.list)[Math.max(index, 0)]);
      } else if (event.key === "Escape") {
        close();
      } else {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    true,
  );

  document.addEventListener("mousedown", (event) => {
    const option = event.target instanceof Element && event.target.closest(".mention-option");
    if (!option || !open) return;
    event.preventDefault(); // the box keeps the focus
    insert(option);
  });

  document.addEventListener("focusout", (event) => {
    const found = parts();
    if (found && event.target === found.box) close();
  });
}
