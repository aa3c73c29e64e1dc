// Empty: required first by flag-read.js so that the loader's first use is not timed.
