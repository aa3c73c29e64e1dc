// Crashes on an uncaught TypeError thrown three calls deep, with locals worth seeing; CRASH_KIND=rejection rejects a promise instead.
'use strict';

function parseOrder(raw) {
  const order = JSON.parse(raw);
  const total = order.items.reduce((sum, item) => sum + item.price * item.qty, 0);
  return { ...order, total };
}

function applyDiscount(order, code) {
  const rate = { SPRING: 0.1, VIP: 0.25 }[code];
  return order.total * (1 - rate.value);
}

async function checkout(raw, code) {
  const order = parseOrder(raw);
  const attempt = 1;
  if (process.env.CRASH_KIND === 'rejection') throw new RangeError(`no such discount ${code} (attempt ${attempt})`);
  return applyDiscount(order, code);
}

const raw = JSON.stringify({ id: 'A-17', items: [{ price: 9.5, qty: 2 }, { price: 20, qty: 1 }] });
if (process.env.CRASH_KIND === 'rejection') checkout(raw, 'NOPE');
else setTimeout(() => console.log(applyDiscount(parseOrder(raw), 'NOPE')), 10);
