// Moving to a new key: a fresh challenge, the new key's signed event pasted, the old key's consent
// signed by the browser extension (NIP-07), both sent at once.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("move-status");
  const toSign = document.getElementById("to-sign");
  const pasted = document.getElementById("new-event");
  let issued = null;

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body || {}),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.detail || "The server refused (" + response.status + ").");
    return answer;
  }

  function loginEvent(extraTags) {
    return {
      kind: 22242,
      created_at: Math.floor(Date.now() / 1000),
      tags: [["relay", issued.relay], ["challenge", issued.challenge]].concat(extraTags),
      content: "",
    };
  }

  document.getElementById("get-challenge").addEventListener("click", async function () {
    try {
      issued = await post("/account/key/challenge");
      toSign.value = JSON.stringify(loginEvent([]), null, 2);
      status.textContent = "Sign the event below with the new key, then paste the signed event.";
      toSign.focus();
    } catch (error) {
      status.textContent = "No challenge: " + error.message;
    }
  });

  document.getElementById("move").addEventListener("click", async function () {
    if (!issued) { status.textContent = "Get a challenge first, and sign it with the new key."; return; }
    let newEvent;
    try {
      newEvent = JSON.parse(pasted.value);
    } catch (error) {
      status.textContent = "The new key's signed event is not JSON: paste the whole event.";
      pasted.focus();
      return;
    }
    if (!newEvent || typeof newEvent.pubkey !== "string") {
      status.textContent = "The new key's signed event has no pubkey: paste the whole signed event.";
      pasted.focus();
      return;
    }
    if (!window.nostr) { status.textContent = "No browser extension found to sign with the old key."; return; }
    status.textContent = "Waiting for the extension…";
    try {
      const consent = await window.nostr.signEvent(loginEvent([["p", newEvent.pubkey]]));
      const moved = await post("/account/key", { new_key_event: newEvent, old_key_event: consent });
      window.location.assign(moved.location);
    } catch (error) {
      status.textContent = "The move failed: " + error.message;
    }
  });
})();
