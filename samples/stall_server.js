// An HTTP server on 127.0.0.1 whose /report handler blocks the event loop for ~1 s (a big JSON round trip and a busy loop); /ok answers at once.
'use strict';
const http = require('node:http');

function buildReport(rows) {
  const table = Array.from({ length: rows }, (_, i) => ({ id: i, name: `row ${i}`, tags: ['a', 'b', 'c'] }));
  const text = JSON.stringify(table);
  const parsed = JSON.parse(text);
  const deadline = Date.now() + Number(process.env.STALL_MS || 1000);
  let checksum = 0;
  while (Date.now() < deadline) checksum = (checksum + parsed.length) % 65_521;
  return { rows: parsed.length, checksum };
}

const server = http.createServer((req, res) => {
  if (req.url === '/report') return res.end(JSON.stringify(buildReport(20_000)));
  res.end('ok');
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.once('SIGTERM', () => server.close());
process.once('SIGINT', () => server.close());
