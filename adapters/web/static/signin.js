// Sign-in page: the browser extension (NIP-07), the panels, and the LNURL-auth poll.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("signin-status");

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body || {}),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.detail || "The server refused the sign-in (" + response.status + ").");
    return answer;
  }

  // Signs the server's kind-22242 challenge with `signer` (window.nostr or a NIP-46 remote signer).
  async function signInWith(signer) {
    const issued = await post("/signin/challenge");
    const event = await signer.signEvent({
      kind: 22242,
      created_at: Math.floor(Date.now() / 1000),
      tags: [["relay", issued.relay], ["challenge", issued.challenge]],
      content: "",
    });
    const outcome = await post("/signin/nostr", { event: event });
    window.location.assign(outcome.location);
  }
  window.nostrIdSignIn = { signInWith: signInWith, say: function (text) { status.textContent = text; } };

  document.getElementById("nip07").addEventListener("click", async function () {
    if (!window.nostr) {
      status.textContent = "No browser extension found: install one that supports NIP-07, or use another way below.";
      return;
    }
    status.textContent = "Waiting for the extension…";
    try {
      await window.nostr.getPublicKey();
      await signInWith(window.nostr);
    } catch (error) {
      status.textContent = "Sign-in failed: " + error.message;
    }
  });

  for (const button of document.querySelectorAll("[data-disclose]")) {
    button.addEventListener("click", function () {
      const panel = document.getElementById(button.getAttribute("aria-controls"));
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      panel.classList.toggle("hidden", !open);
    });
  }

  const lightning = document.getElementById("lightning-panel");
  async function poll() {
    try {
      const outcome = await post("/signin/lnurl", { poll: lightning.dataset.poll });
      if (outcome.status === "ok") { window.location.assign(outcome.location); return; }
      if (outcome.status === "expired") {
        status.textContent = "The Lightning code has expired: reload the page for a new one.";
        return;
      }
    } catch (error) {
      // A failed poll is tried again.
    }
    setTimeout(poll, 1500);
  }
  if (lightning) setTimeout(poll, 1500);
})();
