// "Copy" buttons: a button with data-copy="<id>" copies that field's text and says so.
"use strict";
(function () {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    const said = document.querySelector('[data-copied-for="' + button.dataset.copy + '"]');
    button.addEventListener("click", async function () {
      let copied = false;
      try {
        await navigator.clipboard.writeText(field.value || field.textContent);
        copied = true;
      } catch (error) {
        // Without the clipboard API (an old browser, a plain-http page): select it for the keyboard.
        field.focus();
        if (field.select) field.select();
      }
      if (said) said.textContent = copied ? "Copied" : "Selected: press Ctrl+C (or Cmd+C) to copy";
    });
  }
})();
