// Live availability as a person types: asks /check for the server's own sentence.
"use strict";
(function () {
  const form = document.querySelector("form[data-live-check]");
  if (!form) return;
  const input = form.querySelector("input[name=name]");
  const domain = form.querySelector("select[name=domain]");
  const answer = form.querySelector("[role=status]");
  let timer = null;
  let asked = 0;
  function ask() {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const name = input.value.trim();
      const mine = ++asked;
      if (!name) { answer.textContent = ""; return; }
      try {
        const query = new URLSearchParams({ name: name });
        if (domain) query.set("domain", domain.value);
        const response = await fetch(form.dataset.liveCheck + "?" + query.toString());
        if (response.ok && mine === asked) answer.textContent = await response.text();
      } catch (error) {
        // The form still works without the live answer: "Check" asks the server.
      }
    }, 300);
  }
  input.addEventListener("input", ask);
  if (domain) domain.addEventListener("change", ask);
})();
