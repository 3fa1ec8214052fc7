// Reads a NIP-17 direct message as a client does, with nostr-tools' nip17 and the recipient's key.
// Usage: node nip17_unwrap.mjs < {"wrap": <kind-1059 event>, "secret_key": <64 hex>}  -> the rumor (JSON)
import { unwrapEvent } from "nostr-tools/nip17";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const { wrap, secret_key: secretKey } = JSON.parse(input);
const rumor = unwrapEvent(wrap, Uint8Array.from(Buffer.from(secretKey, "hex")));
process.stdout.write(JSON.stringify(rumor));
