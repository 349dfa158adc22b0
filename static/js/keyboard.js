// Reaching and reading messages from the keyboard.
"use strict";

// A block of its own: these names stay private to this file.
{
  // Moving through messages from the keyboard. In the message box, Alt+Up Arrow
  // goes to the newest message, and Up Arrow, while the box is empty, edits one's
  // own last message in this room; in an edit box, Escape cancels. Among
  // messages, Up and Down Arrow move, Home and End go to the first and last, and
  // Escape returns to the message box. No single-character shortcuts (WCAG
  // 2.1.4), so there is nothing to turn off.
  function messageArticles() {
    return Array.from(document.querySelectorAll("#message-list > li > article"));
  }

  function focusMessage(article) {
    if (!article) return;
    article.focus();
    article.scrollIntoView({ block: "nearest" });
  }

  // One's own newest message that can be edited: its Edit control opens the box in its place (htmx),
  // or, if its box is open already, that box takes the cursor (rather than a second box, for an older one).
  function editOwnLast() {
    const viewerId = document.getElementById("announcer")?.dataset.viewerId;
    if (!viewerId) return false;
    const own = document.querySelectorAll(`#message-list > li.message[data-author-id="${CSS.escape(viewerId)}"]`);
    const last = Array.from(own).reverse().find((item) => item.querySelector("a.edit, .edit-form textarea"));
    if (!last) return false;
    const box = last.querySelector(".edit-form textarea");
    if (box) box.focus();
    else last.querySelector("a.edit").click();
    return true;
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof HTMLTextAreaElement && target.hasAttribute("data-enter-sends")) {
      const plain = !event.altKey && !event.shiftKey && !event.ctrlKey && !event.metaKey;
      if (event.key === "ArrowUp" && event.altKey && !event.shiftKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        focusMessage(messageArticles().at(-1));
      } else if (event.key === "ArrowUp" && plain && target.value === "" && target.closest("#composer")) {
        if (editOwnLast()) event.preventDefault();
      } else if (event.key === "Escape" && target.closest(".edit-form")) {
        event.preventDefault();
        target.closest(".edit-form").querySelector("a.cancel")?.click();
      }
      return;
    }
    if (!(target instanceof HTMLElement) || target.tagName !== "ARTICLE" || !target.closest("#message-list")) return;
    const articles = messageArticles();
    const here = articles.indexOf(target);
    const moves = { ArrowUp: here - 1, ArrowDown: here + 1, Home: 0, End: articles.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      focusMessage(articles[Math.max(0, Math.min(articles.length - 1, moves[event.key]))]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      document.querySelector("#composer textarea")?.focus();
    }
  });

  // "Skip to the newest message" lands on it (without JavaScript it scrolls to the list).
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a[data-focus-newest]");
    if (!link) return;
    event.preventDefault();
    focusMessage(messageArticles().at(-1));
  });
}

// After "Older messages", the reader lands on the message just above the ones they were reading (the
// newest of the page); after "Newer messages", on the one just below (the oldest). Without JavaScript
// the page opens at its top, on the link back.
{
  document.addEventListener("DOMContentLoaded", () => {
    // A permalink (#message-<pk>): the page opens on that message, focused (its style marks it).
    const linked = location.hash.startsWith("#message-") && document.getElementById(location.hash.slice(1));
    if (linked) {
      // Once the page is loaded: the browser's own move to the fragment comes after this event, and
      // takes the focus away from anything focused before it.
      addEventListener("load", () => {
        const article = linked.querySelector("article");
        article?.focus();
        article?.scrollIntoView({ block: "center" });
      });
      return;
    }
    const params = new URLSearchParams(location.search);
    if (location.hash || !(params.has("before") || params.has("after"))) return;
    const articles = document.querySelectorAll("#message-list > li > article");
    const target = params.has("before") ? articles[articles.length - 1] : articles[0];
    if (!target) return;
    target.focus();
    target.scrollIntoView({ block: params.has("before") ? "end" : "start" });
  });
}

// "Copy link" puts the message's permalink on the clipboard and says so; where the page may not write
// to the clipboard (plain HTTP but for localhost), the link is followed instead.
{
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a[data-copy]");
    if (!link || !navigator.clipboard) return;
    event.preventDefault();
    navigator.clipboard.writeText(new URL(link.getAttribute("href"), location.href).href).then(
      () => {
        const status = document.getElementById("copy-status");
        if (!status) return;
        status.textContent = "";
        setTimeout(() => {
          status.textContent = status.dataset.textCopied;
        }, 50);
      },
      () => {
        location.href = link.href;
      },
    );
  });
}
