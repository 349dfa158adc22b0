// The room socket's connection: which messages it asks for, and its state in words.
// An enhancement like all of static/js: without JavaScript, forms and links do it all.
"use strict";

// A block of its own: these names stay private to this file.
{
  // On every (re)connect the socket's address says which message this page
  // shows last, so the server sends exactly what came after it. The extension
  // reuses its first address for reconnects; this keeps the cursor current.
  htmx.createWebSocket = (address) => {
    const url = new URL(address, window.location.href);
    const newest = document.querySelector("#message-list > li[data-seq]:last-of-type");
    if (newest) url.searchParams.set("after", newest.dataset.seq);
    return new WebSocket(url);
  };

  // Connection state, in words, in the page's role="status" region; the words
  // come from the template (data-text-*), so they are translated with the page.
  function showStatus(state) {
    const status = document.getElementById("connection-status");
    if (!status) return;
    status.textContent = status.dataset[`text${state[0].toUpperCase()}${state.slice(1)}`];
    status.dataset.state = state;
  }
  let everOpened = false;
  document.addEventListener("htmx:wsConnecting", () => showStatus(everOpened ? "reconnecting" : "connecting"));
  document.addEventListener("htmx:wsOpen", () => {
    everOpened = true;
    showStatus("open");
  });
  document.addEventListener("htmx:wsClose", (event) => {
    // The extension retries only after these codes (see htmx-ext-ws); any other close is final.
    const retried = [1006, 1011, 1012, 1013].includes(event.detail.event.code);
    showStatus(retried ? "reconnecting" : "closed");
  });

  // A send the server accepted (composer.js) is confirmed in the same region.
  document.addEventListener("chat:sent", () => showStatus("sent"));
}
