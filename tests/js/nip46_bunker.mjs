// A NIP-46 remote signer (a "bunker") for the browser tests, built from nostr-tools' pieces: it
// holds the user's key and answers connect, get_public_key, sign_event and ping over a relay,
// NIP-44 encrypted, to any client (as a bunker the user has approved does).
// Usage: node nip46_bunker.mjs <relay> <user secret hex> bunker
//          -> prints its bunker:// URL, then serves
//        node nip46_bunker.mjs <relay> <user secret hex> connect <nostrconnect:// URI>
//          -> answers the client's URI (the scanned QR code), then serves
// It prints "ready" once subscribed and one line per request it answered.
import WebSocket from "ws";
import { finalizeEvent, generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { SimplePool, useWebSocketImplementation } from "nostr-tools/pool";
import { getConversationKey, encrypt, decrypt } from "nostr-tools/nip44";
import { hexToBytes } from "nostr-tools/utils";

useWebSocketImplementation(WebSocket);
const [relay, userSecretHex, mode, uri] = process.argv.slice(2);
const userSecret = hexToBytes(userSecretHex);
const bunkerSecret = generateSecretKey();
const bunkerPubkey = getPublicKey(bunkerSecret);
const pool = new SimplePool();

async function send(clientPubkey, message) {
  const event = finalizeEvent(
    {
      kind: 24133,
      created_at: Math.floor(Date.now() / 1000),
      tags: [["p", clientPubkey]],
      content: encrypt(JSON.stringify(message), getConversationKey(bunkerSecret, clientPubkey)),
    },
    bunkerSecret,
  );
  await Promise.any(pool.publish([relay], event));
}

function answer(method, params) {
  if (method === "connect") return "ack";
  if (method === "ping") return "pong";
  if (method === "get_public_key") return getPublicKey(userSecret);
  if (method === "sign_event") return JSON.stringify(finalizeEvent(JSON.parse(params[0]), userSecret));
  throw new Error(`unsupported method ${method}`);
}

pool.subscribe(
  [relay],
  { kinds: [24133], "#p": [bunkerPubkey], since: Math.floor(Date.now() / 1000) - 5 },
  {
    onevent: async (event) => {
      const request = JSON.parse(decrypt(event.content, getConversationKey(bunkerSecret, event.pubkey)));
      let reply;
      try {
        reply = { id: request.id, result: answer(request.method, request.params) };
      } catch (error) {
        reply = { id: request.id, error: error.message };
      }
      await send(event.pubkey, reply);
      console.log(JSON.stringify({ answered: request.method }));
    },
    oneose: async () => {
      if (mode === "bunker") {
        console.log(`bunker://${bunkerPubkey}?relay=${encodeURIComponent(relay)}`);
      } else {
        const connection = new URL(uri);
        const clientPubkey = connection.host || connection.pathname.replace(/^\/\//, "");
        await send(clientPubkey, { id: Math.random().toString(36).slice(2), result: connection.searchParams.get("secret") });
      }
      console.log("ready");
    },
  },
);
