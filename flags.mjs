// `import { flag } from 'tripod/flags'`: the same registry module as require('tripod/flags').
import flags from './dist/flags/index.js';
export const { flag } = flags;
export default flags;
