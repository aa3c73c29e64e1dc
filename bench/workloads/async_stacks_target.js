'use strict';
// A server with 20 requests in flight for about 2 s, each suspended three async functions deep
// (handleOrder < loadOrder < fetchStock) on an upstream that answers slowly: what an idle sample of
// bench/experiments/async-stacks-probe.js reads.
const http = require('node:http');

const IN_FLIGHT = 20;
const UPSTREAM_MS = 2000;
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

async function fetchStock(port, sku) {
  const answer = await fetch(`http://127.0.0.1:${port}/stock/${sku}`);
  return answer.text();
}
async function loadOrder(port, id) {
  return { id, stock: await fetchStock(port, id) };
}
async function handleOrder(port, id) {
  return JSON.stringify(await loadOrder(port, id));
}

(async () => {
  const upstream = http.createServer((req, res) => setTimeout(() => res.end('3'), UPSTREAM_MS));
  const upstreamPort = await listen(upstream);
  const shop = http.createServer((req, res) => void handleOrder(upstreamPort, req.url.slice(1)).then((body) => res.end(body)));
  const port = await listen(shop);
  // Let the sampler boot first, so its samples see the whole wait.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => fetch(`http://127.0.0.1:${port}/${i}`).then((r) => r.text())));
  shop.close();
  upstream.close();
})();
