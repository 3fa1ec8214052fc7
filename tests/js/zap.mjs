// Zaps a Lightning address with nostr-tools' NIP-57 helpers, as a Nostr client does, against a test
// server. `request`: finds the zap endpoint from a profile's lud16 (the fetch given to nostr-tools
// sends https://<domain>/... to the server under test, keeping the domain in the Host header), makes
// and signs the zap request, checks it with validateZapRequest, asks the callback for an invoice and
// prints {pr, zapRequest, nostrPubkey}. `receipt`: checks a zap receipt (read as JSON on stdin) as a
// client does: a valid event, its description a valid zap request, its bolt11's amount.
// Usage: node zap.mjs request http://127.0.0.1:PORT name@domain <sender hex key> <relay> <msat>
//        node zap.mjs receipt < receipt.json
import http from "node:http";
import { finalizeEvent, getPublicKey, verifyEvent } from "nostr-tools/pure";
import {
  getSatoshisAmountFromBolt11,
  getZapEndpoint,
  makeZapRequest,
  useFetchImplementation,
  validateZapRequest,
} from "nostr-tools/nip57";

const hexToBytes = (hex) => Uint8Array.from(Buffer.from(hex, "hex"));

function getThrough(server, url) {
  const target = new URL(server);
  const wanted = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: wanted.pathname + wanted.search,
        method: "GET",
        headers: { host: wanted.host, accept: "application/json" },
        timeout: 15000,
      },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode, json: async () => JSON.parse(body) });
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
    request.end();
  });
}

async function request([server, address, senderHex, relay, msat]) {
  useFetchImplementation((url) => getThrough(server, url));
  const recipient = JSON.parse(process.env.RECIPIENT_PROFILE);
  const callback = await getZapEndpoint(recipient);
  if (!callback) throw new Error("no zap endpoint for " + address);
  const [name, domain] = address.split("@");
  const payRequest = await (await getThrough(server, `https://${domain}/.well-known/lnurlp/${name}`)).json();
  const template = makeZapRequest({ pubkey: recipient.pubkey, amount: Number(msat), relays: [relay], comment: "" });
  const zapRequest = finalizeEvent(template, hexToBytes(senderHex));
  const problem = validateZapRequest(JSON.stringify(zapRequest));
  if (problem !== null) throw new Error("nostr-tools refuses its own zap request: " + problem);
  const url = new URL(callback);
  url.searchParams.set("amount", msat);
  url.searchParams.set("nostr", JSON.stringify(zapRequest));
  const answer = await (await getThrough(server, url.toString())).json();
  if (!answer.pr) throw new Error("no invoice: " + JSON.stringify(answer));
  const sender = getPublicKey(hexToBytes(senderHex));
  console.log(JSON.stringify({ pr: answer.pr, zapRequest, nostrPubkey: payRequest.nostrPubkey, sender }));
}

async function receipt() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const tag = (name) => (event.tags.find((t) => t[0] === name) || [])[1];
  console.log(
    JSON.stringify({
      valid: verifyEvent(event),
      kind: event.kind,
      descriptionProblem: validateZapRequest(tag("description")),
      sats: getSatoshisAmountFromBolt11(tag("bolt11")),
    }),
  );
}

const [command, ...rest] = process.argv.slice(2);
await (command === "request" ? request(rest) : receipt());
