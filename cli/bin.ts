import { runCli } from './main.js';
import { onStdoutError } from './io.js';

// `backprop-studio predict … | head` closes stdout early: that is the reader's
// choice, not an error worth a stack trace. The command still finishes its work
// (`train … --out m.safetensors | head -1` saves the model) and exits with its code.
process.stdout.on('error', onStdoutError);

// The bundle's entry: run the command line and exit with its code.
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
