// CPU-bound: one long synchronous computation that never yields to the event loop (BUSY_SECONDS, default 5).
'use strict';

function isPrime(candidate) {
  for (let divisor = 2; divisor * divisor <= candidate; divisor++) if (candidate % divisor === 0) return false;
  return candidate > 1;
}

function countPrimes(seconds) {
  const deadline = Date.now() + seconds * 1000;
  let candidate = 2;
  let found = 0;
  while (Date.now() < deadline) {
    if (isPrime(candidate)) found++;
    candidate++;
  }
  return { found, checked: candidate - 2 };
}

const result = countPrimes(Number(process.env.BUSY_SECONDS || 5));
console.log(`found ${result.found} primes among ${result.checked} numbers`);
