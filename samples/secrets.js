// Locals that must never reach the log as they are: secret-looking names, a counting getter and a counting Proxy (tripod must call neither).
'use strict';

const calls = { getter: 0, proxy: 0 };

function login(user, password, apiKey) {
  const session = { user, token: 'tok-123', accessToken: 'acc-456', headers: { Authorization: 'Bearer xyz', 'x-request-id': 'r-1' } };
  const watched = {};
  Object.defineProperty(watched, 'expensive', { enumerable: true, get() { calls.getter++; return 'computed'; } });
  const trap = new Proxy({}, {
    get(target, key) { calls.proxy++; return Reflect.get(target, key); },
    ownKeys(target) { calls.proxy++; return Reflect.ownKeys(target); },
    getOwnPropertyDescriptor(target, key) { calls.proxy++; return Reflect.getOwnPropertyDescriptor(target, key); },
    getPrototypeOf(target) { calls.proxy++; return Reflect.getPrototypeOf(target); },
    has(target, key) { calls.proxy++; return Reflect.has(target, key); },
  });
  const circular = { name: 'loop' };
  circular.self = circular;
  const end = Date.now() + Number(process.env.SECRETS_BUSY_MS || 1500);
  let spins = 0;
  while (Date.now() < end) spins++;
  return { session, watched, trap, circular, spins };
}

// Secrets arrive at run time, as they do in real programs (the log must not hold them; the source is another matter).
const config = { user: 'ada', password: process.env.DEMO_PASSWORD || 'hunter2', apiKey: process.env.DEMO_API_KEY || 'ak-789' };
const result = login(config.user, config.password, config.apiKey);
console.log(`getter calls: ${calls.getter}, proxy trap calls: ${calls.proxy}, spins > 0: ${result.spins > 0}`);
