// An owner's wallet behind Nostr Wallet Connect, as wallets run it: @getalby/sdk's NWCWalletService
// on a relay, answering get_info, make_invoice and lookup_invoice from an LNbits wallet.
// Prints one JSON line {"nwc_url": ...} once it listens, then serves until killed.
// Usage: node nwc_wallet_service.mjs <relay url> <lnbits url> <lnbits invoice key>
import { NWCWalletService, NWCWalletServiceKeyPair } from "@getalby/sdk/nwc";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import WebSocket from "ws";

// Node 20 has no global WebSocket; the SDK's relay pool looks for one.
globalThis.WebSocket ??= WebSocket;

const [relayUrl, lnbitsUrl, invoiceKey] = process.argv.slice(2);
const hex = (bytes) => Buffer.from(bytes).toString("hex");
const walletSecret = hex(generateSecretKey());
const clientSecret = generateSecretKey();
const methods = ["get_info", "make_invoice", "lookup_invoice"];

async function lnbits(path, body) {
  const response = await fetch(lnbitsUrl + path, {
    method: body ? "POST" : "GET",
    headers: { "X-Api-Key": invoiceKey, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json();
  if (!response.ok) throw new Error(JSON.stringify(data));
  return data;
}

const failed = (error) => ({ result: undefined, error: { code: "INTERNAL", message: String(error) } });

function transaction(invoice, paymentHash, amount, paid, preimage, expiresAt) {
  const now = Math.floor(Date.now() / 1000);
  return {
    type: "incoming",
    state: paid ? "settled" : "pending",
    invoice,
    description: "",
    description_hash: "",
    preimage: paid ? preimage : "",
    payment_hash: paymentHash,
    amount,
    fees_paid: 0,
    settled_at: paid ? now : undefined,
    created_at: now,
    expires_at: expiresAt,
  };
}

const handler = {
  async getInfo() {
    const info = { alias: "LNbits over NWC", color: "", pubkey: "", network: "regtest", block_height: 0, block_hash: "", methods };
    return { result: info, error: undefined };
  },
  async makeInvoice(request) {
    try {
      const made = await lnbits("/api/v1/payments", {
        out: false,
        amount: Math.floor(request.amount / 1000),
        unit: "sat",
        memo: "",
        description_hash: request.description_hash,
        expiry: request.expiry,
      });
      const expiresAt = Math.floor(Date.now() / 1000) + (request.expiry || 3600);
      const bolt11 = made.bolt11 || made.payment_request;
      return { result: transaction(bolt11, made.payment_hash, request.amount, false, "", expiresAt), error: undefined };
    } catch (error) {
      return failed(error);
    }
  },
  async lookupInvoice(request) {
    try {
      const found = await lnbits(`/api/v1/payments/${request.payment_hash}`);
      const details = found.details || {};
      return {
        result: transaction(details.bolt11, request.payment_hash, Math.abs(details.amount || 0), Boolean(found.paid), found.preimage || details.preimage, 0),
        error: undefined,
      };
    } catch (error) {
      return failed(error);
    }
  },
};

const service = new NWCWalletService({ relayUrls: [relayUrl] });
await service.publishWalletServiceInfoEvent(walletSecret, methods, []);
const keypair = new NWCWalletServiceKeyPair(walletSecret, getPublicKey(clientSecret));
await service.subscribe(keypair, handler);
const walletPubkey = getPublicKey(Buffer.from(walletSecret, "hex"));
const nwcUrl = `nostr+walletconnect://${walletPubkey}?relay=${encodeURIComponent(relayUrl)}&secret=${hex(clientSecret)}`;
console.log(JSON.stringify({ nwc_url: nwcUrl }));
