// The seed's example: a script slow because it waits on I/O, not because it computes — each request blocks reading a slow response (a child process that answers after SLOW_DELAY_MS, default 2000), as the seed's request thread blocked in f.read().
'use strict';
const { execFileSync } = require('node:child_process');

const DELAY_MS = Number(process.env.SLOW_DELAY_MS || 2000);
const REQUESTS = Number(process.env.SLOW_REQUESTS || 3);

/** A blocking client: the response arrives after DELAY_MS, and the caller waits for it. */
function fetchPage(url, attempt) {
  const server = `setTimeout(() => process.stdout.write(JSON.stringify({ url: ${JSON.stringify(url)}, at: Date.now() })), ${DELAY_MS})`;
  const body = execFileSync(process.execPath, ['-e', server], { encoding: 'utf8' });
  return { attempt, body };
}

function handleRequest(url) {
  const started = Date.now();
  const page = fetchPage(url, 1);
  return { took: Date.now() - started, bytes: page.body.length };
}

const args = process.argv.slice(2).join(',') || 'none';
for (let i = 1; i <= REQUESTS; i++) {
  const result = handleRequest(`http://127.0.0.1/report/${i}?args=${args}`);
  console.log(`request ${i}: ${result.bytes} bytes in ${result.took} ms`);
}
