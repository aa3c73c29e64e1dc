'use strict';
// Preloaded with --require: keeps BIG_HEAP_MB (default 300) of small objects alive, as a long-running
// server's caches do. V8 walks the whole heap each time the debugger is switched on (BENCHMARKS.md).
const megabytes = Number(process.env.BIG_HEAP_MB || 300);
const kept = [];
// About 64 bytes a small object with its slot in the array.
for (let i = 0; i < (megabytes * 1024 * 1024) / 64; i++) kept.push({ id: i, tag: null });
globalThis.__bigHeap = kept;
