'use strict';
// Preloaded with --require: writes 200 small modules to a temp folder, loads them, removes the folder.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripod-bench-modules-'));
try {
  for (let i = 0; i < 200; i++) {
    const file = path.join(dir, `m${i}.js`);
    fs.writeFileSync(file, `module.exports = (x) => x + ${i};\n`);
    require(file);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
