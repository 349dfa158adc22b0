// Runs of messages: a message by the author of the one just above it, within a few minutes, continues
// their run and shows no name of its own (the name stays in its accessible name). The page arrives with
// its runs marked (rooms/templatetags/chat.py); this keeps them so as messages arrive, change or go, by
// the same rule: frames are rendered once for everybody and cannot know what is above them on a page.
"use strict";

// A block of its own: these names stay private to this file.
{
  const RUN_GAP_MS = 5 * 60 * 1000;

  function when(item) {
    const time = item.querySelector("time[datetime]");
    return time ? new Date(time.dateTime).getTime() : NaN;
  }

  function continues(item, previous) {
    if (!previous?.matches("li.message") || !item.matches("li.message")) return false;
    if ([item, previous].some((one) => one.matches(".deleted, .editing"))) return false;
    if (item.dataset.authorId !== previous.dataset.authorId) return false;
    const gap = when(item) - when(previous);
    return gap >= 0 && gap <= RUN_GAP_MS;
  }

  function markRuns() {
    const list = document.getElementById("message-list");
    if (!list) return;
    for (const item of list.querySelectorAll(":scope > li.message")) {
      item.classList.toggle("continued", continues(item, item.previousElementSibling));
    }
  }

  document.addEventListener("htmx:after:swap", markRuns);
}
