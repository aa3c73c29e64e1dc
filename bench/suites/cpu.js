'use strict';
const path = require('node:path');
const { throughputVariants } = require('../variants.js');
const { opsSuite } = require('./ops.js');

module.exports = opsSuite({
  name: 'cpu',
  script: path.join(__dirname, '..', 'workloads', 'cpu.js'),
  variants: throughputVariants,
  title: 'synchronous loop that never yields',
});
