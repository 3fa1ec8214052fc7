// Verifies Nostr events with nostr-tools, as a client does: id and BIP-340 signature.
// Usage: node verify_events.mjs < events.json (a JSON array)  -> a JSON array of booleans
import { verifyEvent } from "nostr-tools/pure";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const events = JSON.parse(input);
process.stdout.write(JSON.stringify(events.map((event) => verifyEvent(event))));
