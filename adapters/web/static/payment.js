// The payment page: the status line follows the payment without a reload; "Simulate payment"
// (the fake provider) pays without leaving the page; a card checkout is opened at once.
"use strict";
(function () {
  const root = document.getElementById("payment");
  if (!root) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("payment-status");
  const receipt = document.getElementById("receipt-link");
  const toPay = document.getElementById("to-pay");
  const POLL_MS = 1500;
  let timer = null;

  function show(state) {
    if (status.textContent !== state.text) status.textContent = state.text;
    if (state.receipt) receipt.classList.remove("hidden");
    if (state.done) {
      toPay.classList.add("hidden");
      clearTimeout(timer);
      timer = null;
    }
    return state.done;
  }

  async function poll() {
    try {
      const response = await fetch(root.dataset.statusUrl, { headers: { accept: "application/json" } });
      // The session's access token expired: a navigation renews it (a background request never does).
      if (response.status === 401) { window.location.reload(); return; }
      if (response.ok && show(await response.json())) return;
    } catch (error) {
      // A missed answer is asked again at the next round.
    }
    timer = setTimeout(poll, POLL_MS);
  }

  const simulate = document.querySelector("form[data-simulate]");
  if (simulate) {
    simulate.addEventListener("submit", async function (event) {
      event.preventDefault();
      const button = simulate.querySelector("button");
      button.disabled = true;
      try {
        const response = await fetch(simulate.action, {
          method: "POST",
          headers: { accept: "application/json", "x-csrf-token": csrf },
        });
        // The status line learns of the payment as it learns of any other: from the next poll.
        if (response.ok) { clearTimeout(timer); await poll(); }
        else status.textContent = "The payment could not be simulated (" + response.status + ").";
      } finally {
        button.disabled = false;
      }
    });
  }

  if (root.dataset.checkoutUrl) {
    window.location.assign(root.dataset.checkoutUrl);
    return;
  }
  if (root.dataset.done !== "true") timer = setTimeout(poll, POLL_MS);
})();
