// Sign-in with a NIP-46 remote signer: a bunker:// URL typed in, or a signer app that scans the
// nostrconnect:// QR code. Either way the remote signer signs the sign-in challenge (signin.js).
import { BunkerSigner, parseBunkerInput, hexToBytes } from "./nostr-tools-nip46.js";

const panel = document.getElementById("remote-panel");
const form = document.getElementById("bunker-form");
const qr = panel && panel.querySelector("[data-nostrconnect]");
const CONNECT_WAIT_MS = 300000;

function ready() {
  return new Promise((resolve) => {
    if (window.nostrIdSignIn) resolve(window.nostrIdSignIn);
    else window.addEventListener("DOMContentLoaded", () => resolve(window.nostrIdSignIn));
  });
}

async function signInWithRemote(signer, page) {
  page.say("Connected: waiting for the remote signer to sign…");
  await page.signInWith(signer);
}

if (panel && form && qr) {
  const clientSecret = hexToBytes(panel.dataset.clientSecret);
  const page = await ready();

  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const input = form.elements.bunker.value.trim();
    // Only bunker:// URLs: a name@domain would be looked up on another server.
    const pointer = input.startsWith("bunker://") ? await parseBunkerInput(input) : null;
    if (!pointer || pointer.relays.length === 0) {
      page.say("That is not a bunker:// URL with a relay: copy it from your signer again.");
      return;
    }
    try {
      page.say("Connecting to the remote signer…");
      const signer = BunkerSigner.fromBunker(clientSecret, pointer, {
        onauth: (url) => page.say("Your signer asks you to approve this sign-in: " + url),
      });
      await signer.connect();
      await signInWithRemote(signer, page);
    } catch (error) {
      page.say("Sign-in failed: " + (error.message || error));
    }
  });

  // A signer app that scans the code answers on the relays; wait for it while the page is open.
  BunkerSigner.fromURI(clientSecret, qr.dataset.nostrconnect, { skipSwitchRelays: true }, CONNECT_WAIT_MS)
    .then((signer) => signInWithRemote(signer, page))
    .catch((error) => page.say("The remote signer did not connect: " + (error.message || error)));
}
