'use strict';
// The await-heavy HTTP server (http_server.js) as a cluster of WORKERS workers (default 2) sharing one port.
// The primary prints {"port":N} once every worker listens, and disconnects them at SIGTERM.
const cluster = require('node:cluster');
const path = require('node:path');

if (cluster.isPrimary) {
  const workers = Number(process.env.WORKERS || 2);
  let listening = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('listening', (address) => {
      if (++listening === workers) process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
    });
  }
  process.on('SIGTERM', () => cluster.disconnect());
} else {
  require(path.join(__dirname, 'http_server.js'));
}
