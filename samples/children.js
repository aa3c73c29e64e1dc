// A build-like parent that hands work to two forked children and one `node -e` through a shell, to try
// `tripod --children` on: every process's samples land in one log, each tagged with its pid.
const { exec, fork } = require('node:child_process');

function crunch(label, ms) {
  const end = Date.now() + ms;
  let rounds = 0;
  while (Date.now() < end) rounds++;
  return `${label}: ${rounds} rounds`;
}

if (process.argv[2] === 'child') {
  process.send(crunch(`child ${process.pid}`, 2500));
} else {
  let left = 3;
  const done = (line) => {
    console.log(line);
    if (--left === 0) console.log('build done');
  };
  for (let i = 0; i < 2; i++) fork(__filename, ['child']).on('message', done);
  exec(`node -e "setTimeout(() => console.log('shell child done'), 1500)"`, (error, stdout) => done(stdout.trim()));
}
