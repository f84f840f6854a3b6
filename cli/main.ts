import { StudioError, errorMessage } from '../core/errors.js';
import { USAGE, parseCommandLine, type CommandName, type ParsedCommand } from './args.js';
import { processIO, type CliIO } from './io.js';
import { trainCommand } from './commands/train.js';
import { evalCommand } from './commands/evaluate.js';
import { predictCommand } from './commands/predict.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { exportCommand } from './commands/export.js';

const commands: Record<CommandName, (io: CliIO, cmd: ParsedCommand) => Promise<number>> = {
  train: trainCommand,
  eval: evalCommand,
  predict: predictCommand,
  gradcheck: gradcheckCommand,
  export: exportCommand,
};

/**
 * Run one command line. Returns the exit code; never throws. Every failure is
 * one line on stderr (no stack trace): 2 for wrong usage, 1 for bad files and
 * everything else, 3 for a run that diverged.
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  try {
    const cmd = parseCommandLine(argv);
    if (!cmd) {
      if (argv.length > 0) {
        io.out(USAGE);
        return 0;
      }
      // No command at all is wrong usage: one line on stderr, like every other.
      io.err(`backprop-studio: no command given (one of: ${Object.keys(commands).join(', ')}); see backprop-studio --help`);
      return 2;
    }
    return await commands[cmd.command](io, cmd);
  } catch (e) {
    if (e instanceof StudioError) {
      io.err(`backprop-studio: ${e.message}`);
      return e.code === 'BAD_USAGE' ? 2 : 1;
    }
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      io.err(`backprop-studio: ${errorMessage(e)}`);
      return 1;
    }
    io.err(`backprop-studio: internal error: ${errorMessage(e)} (please report this)`);
    return 1;
  }
}
