'use strict';
// Preloaded with --require: writes BENCH_MODULES (default 200) small modules to a temp folder, loads them, removes the folder.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripod-bench-modules-'));
try {
  const count = Number(process.env.BENCH_MODULES || 200);
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `m${i}.js`);
    fs.writeFileSync(file, `module.exports = (x) => x + ${i};\n`);
    require(file);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
