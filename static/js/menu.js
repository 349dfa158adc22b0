// Disclosures that act as menus (the header's): a <details> opens and closes without
// JavaScript; this adds what people expect of a menu: Escape closes it and puts the focus back on its
// button, and a click or a focus move elsewhere closes it.
"use strict";

// A block of its own: these names stay private to this file.
{
  const MENUS = "details.menu[open]";

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !(event.target instanceof Element)) return;
    const menu = event.target.closest(MENUS);
    if (!menu) return;
    event.preventDefault();
    menu.open = false;
    menu.querySelector("summary")?.focus();
  });

  function closeOthers(target) {
    for (const menu of document.querySelectorAll(MENUS)) {
      if (!(target instanceof Node) || !menu.contains(target)) menu.open = false;
    }
  }
  document.addEventListener("click", (event) => closeOthers(event.target));
  document.addEventListener("focusin", (event) => closeOthers(event.target));
}
