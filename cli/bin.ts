import { runCli } from './main.js';

// `backprop-studio predict … | head` closes stdout early: that is the reader's
// choice, not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

// The bundle's entry: run the command line and exit with its code.
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
