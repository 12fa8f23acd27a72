// Herald's only script: progressive enhancement of the server-rendered
// pages. Everything works without it; the rail collapses behind a button
// on narrow screens, and nojs.css keeps it open when scripts are off.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".rail-toggle");
  const rail = document.getElementById("rail");
  if (!toggle || !rail) {
    return;
  }
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    rail.classList.toggle("open", open);
  };
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    setOpen(open);
    if (open) {
      const first = rail.querySelector("a");
      if (first) {
        first.focus();
      }
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
});
