// Moving to a new key: a NIP-46 remote signer holding the new key signs the event the page shows
// (its bunker:// URL typed in); the signed event fills "New key's signed event" (key_move.js).
import { BunkerSigner, parseBunkerInput, hexToBytes } from "./nostr-tools-nip46.js";

const panel = document.getElementById("bunker-panel");
const status = document.getElementById("move-status");
const toSign = document.getElementById("to-sign");
const signed = document.getElementById("new-event");

if (panel) {
  const clientSecret = hexToBytes(panel.dataset.clientSecret);
  document.getElementById("bunker-sign").addEventListener("click", async () => {
    if (!toSign.value) {
      status.textContent = "Get a challenge first: the remote signer signs the event it gives.";
      return;
    }
    const input = document.getElementById("bunker-url").value.trim();
    // Only bunker:// URLs: a name@domain would be looked up on another server.
    const pointer = input.startsWith("bunker://") ? await parseBunkerInput(input) : null;
    if (!pointer || pointer.relays.length === 0) {
      status.textContent = "That is not a bunker:// URL with a relay: copy it from the new key's signer again.";
      return;
    }
    let signer = null;
    try {
      status.textContent = "Connecting to the remote signer…";
      signer = BunkerSigner.fromBunker(clientSecret, pointer, {
        onauth: (url) => { status.textContent = "The remote signer asks you to approve: " + url; },
      });
      await signer.connect();
      status.textContent = "Connected: waiting for the remote signer to sign…";
      const event = await signer.signEvent(JSON.parse(toSign.value));
      signed.value = JSON.stringify(event);
      status.textContent = "The new key has signed: now move to it with your browser extension's consent.";
    } catch (error) {
      status.textContent = "The remote signer did not sign: " + (error.message || error);
    } finally {
      if (signer) signer.close().catch(() => {});
    }
  });
}
