// A file too large to attach is said so as soon as it is chosen, next to its field, as the server would say
// it (rooms/forms.py AttachmentForm), and let go of: nothing is sent that would be refused once it had all
// arrived. The limit and the words are the field's own (data-max-bytes, data-text-too-large).
"use strict";

// A block of its own: these names stay private to this file.
{
  function errorList(input) {
    const id = `${input.id}_error`;
    let list = document.getElementById(id);
    if (!list) {
      const alert = document.createElement("div");
      alert.setAttribute("role", "alert");
      list = alert.appendChild(document.createElement("ul"));
      list.className = "errorlist";
      list.id = id;
      list.dataset.madeHere = "";
      input.before(alert);
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (!described.includes(id)) input.setAttribute("aria-describedby", [...described, id].join(" "));
    }
    return list;
  }

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) return;
    const file = input.files?.[0];
    if (!file || file.size <= Number(input.dataset.maxBytes)) {
      // Another file, within the limit: what this said of the last one goes.
      const said = document.getElementById(`${input.id}_error`);
      if (file && said?.dataset.madeHere !== undefined) {
        said.parentElement.remove();
        input.removeAttribute("aria-invalid");
      }
      return;
    }
    const item = document.createElement("li");
    item.textContent = input.dataset.textTooLarge;
    errorList(input).replaceChildren(item);
    input.setAttribute("aria-invalid", "true");
    input.value = ""; // not chosen: sending now would say to choose a file
  });
}
