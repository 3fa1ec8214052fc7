// Verifies NIP-05 identifiers with nostr-tools, as a Nostr client does, against a test server.
// nostr-tools fetches https://<domain>/.well-known/nostr.json; the fetch given to it sends that
// request to the server under test instead, keeping the domain in the Host header.
// Usage: node nip05_query.mjs http://127.0.0.1:PORT identifier...   -> one JSON line per identifier
import http from "node:http";
import { queryProfile, useFetchImplementation } from "nostr-tools/nip05";

const [server, ...identifiers] = process.argv.slice(2);
const target = new URL(server);

function fetchThroughServer(url, options = {}) {
  const wanted = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: wanted.pathname + wanted.search,
        method: "GET",
        headers: { host: wanted.host, accept: "application/json" },
        timeout: 10000,
      },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: response.statusCode,
            redirect: options.redirect,
            headers: response.headers,
            json: async () => JSON.parse(body),
          });
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
    request.end();
  });
}

useFetchImplementation(fetchThroughServer);
for (const identifier of identifiers) {
  const profile = await queryProfile(identifier);
  console.log(JSON.stringify({ identifier, profile }));
}
