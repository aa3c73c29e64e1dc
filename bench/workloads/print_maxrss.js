'use strict';
// Preloaded with --require: prints this process's peak resident memory when it exits,
// so the harness can measure a CLI it runs as a child.
process.on('exit', () => {
  process.stderr.write(`\n${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`);
});
