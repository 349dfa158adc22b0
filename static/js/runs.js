// Runs of messages: a message by the author of the one just above it, within a few minutes, continues
// their run and shows no name of its own (the name stays in its accessible name). The page arrives with
// its runs and its days marked (rooms/templatetags/chat.py); this keeps them so as messages arrive,
// change or go, by the same rules: frames are rendered once for everybody and cannot know what is above
// them on a page. And days: the server counts them in UTC (its page says "UTC" beside each time), while
// the times are rewritten in the reader's own time zone (messages.js); so the days are laid out again here
// in that zone, by the server's rule: a heading before the first message of each day, none before a page
// of today alone. A heading already in its place stays, so that a screen reader's place stays too.
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

  function localDay(ms) {
    if (Number.isNaN(ms)) return "";
    const day = new Date(ms);
    const pad = (number) => String(number).padStart(2, "0");
    return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
  }

  function dayLabel(list, day, today, yesterday, format) {
    if (day === today) return list.dataset.textToday;
    if (day === yesterday) return list.dataset.textYesterday;
    const [year, month, date] = day.split("-").map(Number);
    return format.format(new Date(year, month - 1, date));
  }

  function dayDivider(list, day, label) {
    const item = document.createElement("li");
    item.className = "day-divider";
    const heading = item.appendChild(document.createElement("h2"));
    const time = heading.appendChild(document.createElement("time"));
    time.dateTime = day;
    time.textContent = label;
    return item;
  }

  // Where a day's heading goes before `item`: above the "New messages" divider, if that is just above it.
  function headingPlace(item) {
    const above = item.previousElementSibling;
    return above?.matches(".unread-divider") ? above : item;
  }

  function layDays(list) {
    const now = new Date();
    const today = localDay(now.getTime());
    const yesterday = localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1).getTime());
    // Made once a layout, not once a heading: this runs on every swap.
    const format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "long" });
    const kept = new Set();
    let previousDay = null;
    for (const item of list.querySelectorAll(":scope > li.message")) {
      const day = localDay(when(item));
      if (!day) continue;
      if (day !== previousDay && (previousDay !== null || day !== today)) {
        const place = headingPlace(item);
        const above = place.previousElementSibling;
        const label = dayLabel(list, day, today, yesterday, format);
        const time = above?.matches(".day-divider") ? above.querySelector("time") : null;
        if (time?.dateTime === day) {
          if (time.textContent !== label) time.textContent = label; // the server's words for it, or yesterday's
          kept.add(above);
        } else {
          kept.add(place.insertAdjacentElement("beforebegin", dayDivider(list, day, label)));
        }
      }
      previousDay = day;
    }
    for (const divider of list.querySelectorAll(":scope > li.day-divider")) {
      if (!kept.has(divider)) divider.remove();
    }
  }

  function markRuns() {
    const list = document.getElementById("message-list");
    if (!list) return;
    layDays(list);
    for (const item of list.querySelectorAll(":scope > li.message")) {
      item.classList.toggle("continued", continues(item, item.previousElementSibling));
    }
  }

  // Now, before the page's load handlers bring the newest message into view (messages.js): a heading put in
  // afterwards would push it down again. A deferred script runs once the page is parsed.
  markRuns();
  document.addEventListener("htmx:after:swap", markRuns);
}
