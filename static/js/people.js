// Who is here: the room's list of the people connected to it, as the server keeps it (rooms/people/presence.py).
"use strict";

// A block of its own: these names stay private to this file.
{
  // The server sends the list whole when the socket opens, then one person at a
  // time: their item appended when they come, removed (by id) when they go, and
  // the count. Someone already listed (the whole list came meanwhile, or a copy
  // of their coming) keeps their place and is not listed twice.
  document.addEventListener("htmx:before:swap", (event) => {
    for (const task of event.detail.tasks) {
      const incoming = task.fragment.firstElementChild;
      if (task.target.id !== "people-here-list" || task.swapSpec?.style !== "beforeend" || !incoming) continue;
      for (const item of Array.from(incoming.children)) {
        const shown = item.id && document.getElementById(item.id);
        if (shown) shown.replaceWith(item);
      }
    }
  });
}
