// An ES module: top-level await, import.meta.url and argv, then a short CPU-bound phase so samples show module frames.
import { setTimeout as sleep } from 'node:timers/promises';

const me = new URL(import.meta.url).pathname;
console.log(`esm ${me} argv=${JSON.stringify(process.argv.slice(2))}`);

function checksum(rounds) {
  let sum = 0;
  const end = Date.now() + rounds;
  while (Date.now() < end) sum = (sum * 31 + 7) % 1_000_003;
  return sum;
}

await sleep(Number(process.env.ESM_SLEEP_MS || 100));
console.log(`checksum ${checksum(Number(process.env.ESM_BUSY_MS || 1500))}`);
