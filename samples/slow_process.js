// The seed's example: a script slow because it waits on I/O (a slow HTTP response on 127.0.0.1), not because it computes.
'use strict';
const http = require('node:http');

const DELAY_MS = Number(process.env.SLOW_DELAY_MS || 3000);

function startSlowServer() {
  const server = http.createServer((req, res) => {
    setTimeout(() => res.end(JSON.stringify({ path: req.url, at: Date.now() })), DELAY_MS);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function fetchPage(url, attempt) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ attempt, status: res.statusCode, body }));
    }).on('error', reject);
  });
}

async function handleRequest(url) {
  const started = Date.now();
  const page = await fetchPage(url, 1);
  return { took: Date.now() - started, page };
}

async function main() {
  const server = await startSlowServer();
  const url = `http://127.0.0.1:${server.address().port}/report?args=${process.argv.slice(2).join(',')}`;
  const result = await handleRequest(url);
  console.log(`fetched ${result.page.body.length} bytes in ${result.took} ms`);
  server.close();
}

main();
