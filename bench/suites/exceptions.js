'use strict';
const path = require('node:path');
const { exceptionVariants } = require('../variants.js');
const { opsSuite } = require('./ops.js');

module.exports = opsSuite({
  name: 'exceptions',
  script: path.join(__dirname, '..', 'workloads', 'throw_catch.js'),
  variants: exceptionVariants,
  title: 'exceptions thrown and caught in a loop (what crash capture must not slow)',
});
