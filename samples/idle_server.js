// An HTTP server on 127.0.0.1 that mostly waits: it prints its port, answers requests, and stops on SIGTERM/SIGINT or after IDLE_SECONDS (default 30).
'use strict';
const http = require('node:http');

const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: true, path: req.url }));
});

function shutDown(reason) {
  console.log(`stopping: ${reason}`);
  server.close();
  clearTimeout(idleTimer);
}

const idleTimer = setTimeout(() => shutDown('idle timeout'), Number(process.env.IDLE_SECONDS || 30) * 1000);
process.once('SIGTERM', () => shutDown('SIGTERM'));
process.once('SIGINT', () => shutDown('SIGINT'));

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
