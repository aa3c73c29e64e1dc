// A shop whose one slow route waits on a slow upstream: GET /orders/:id fetches the inventory service,
// which answers after UPSTREAM_MS (default 2500). The script sends ORDERS orders (default 3) and a few
// fast requests to itself, then ends.
//
//   tripod --slow 2000 samples/slow_requests.js
//   grep '"event":"slow"' LOG | tripod show
//   tripod report LOG --by route
'use strict';
const http = require('node:http');

const UPSTREAM_MS = Number(process.env.UPSTREAM_MS || 2500);
const ORDERS = Number(process.env.ORDERS || 3);

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

async function main() {
  const inventory = http.createServer((req, res) => setTimeout(() => res.end(JSON.stringify({ sku: req.url, stock: 3 })), UPSTREAM_MS));
  const inventoryPort = await listen(inventory);

  async function loadStock(orderId) {
    const answer = await fetch(`http://127.0.0.1:${inventoryPort}/inventory?order=${orderId}`);
    return answer.json();
  }

  async function handleOrder(req, res, orderId) {
    const stock = await loadStock(orderId);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ order: orderId, stock: stock.stock }));
  }

  const shop = http.createServer((req, res) => {
    const order = /^\/orders\/(\d+)/.exec(req.url);
    if (order) return void handleOrder(req, res, Number(order[1]));
    res.end('ok');
  });
  const port = await listen(shop);

  const get = (path) => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.text());
  const orders = Array.from({ length: ORDERS }, (_, i) => get(`/orders/${40 + i}?customer=7`));
  const fast = Array.from({ length: 5 }, (_, i) => get(`/health/${i}`));
  for (const answer of await Promise.all([...orders, ...fast])) console.log(answer);
  shop.close();
  inventory.close();
}

main();
