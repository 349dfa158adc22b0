// Runs of messages: a message by the author of the one just above it, within a few minutes, continues
// their run and shows no name of its own (the name stays in its accessible name). The page arrives with
// its runs and its days marked (rooms/templatetags/chat.py); this keeps them so as messages arrive,
// change or go, by the same rules: frames are rendered once for everybody and cannot know what is above
// them on a page. A message that arrives on a new day (in UTC, as the server counts days) gets its "Today".
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

  function utcDay(ms) {
    return Number.isNaN(ms) ? "" : new Date(ms).toISOString().slice(0, 10);
  }

  function dayDivider(list, day) {
    const item = document.createElement("li");
    item.className = "day-divider";
    const heading = item.appendChild(document.createElement("h2"));
    const time = heading.appendChild(document.createElement("time"));
    time.dateTime = day;
    time.textContent = list.dataset.textToday;
    return item;
  }

  function markRuns() {
    const list = document.getElementById("message-list");
    if (!list) return;
    const today = utcDay(Date.now());
    let previousDay = "";
    for (const item of list.querySelectorAll(":scope > li.message")) {
      const day = utcDay(when(item));
      if (day === today && previousDay && previousDay !== today && !item.previousElementSibling?.matches(".day-divider")) {
        item.before(dayDivider(list, day));
      }
      if (day) previousDay = day;
      item.classList.toggle("continued", continues(item, item.previousElementSibling));
    }
  }

  document.addEventListener("htmx:after:swap", markRuns);
}
