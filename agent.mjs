// `node --import tripod/agent app.mjs`: the same agent as `--require tripod/agent`, loaded once.
import './dist/attach/agent.js';
