// Deep recursion (DEPTH frames, default 2000) that spins at the bottom: tripod keeps the top --max-frames and skips locals rather than stop the target for long.
'use strict';

function descend(level, trail) {
  if (level > 0) return descend(level - 1, trail + 1);
  const end = Date.now() + Number(process.env.DEEP_BUSY_MS || 1500);
  let spins = 0;
  while (Date.now() < end) spins++;
  return trail + spins * 0;
}

console.log(`depth reached: ${descend(Number(process.env.DEPTH || 2000), 0)}`);
