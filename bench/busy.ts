import { spawn, type ChildProcess } from 'node:child_process';

/**
 * `--busy N`: keep N cores busy with spinning processes for the whole bench, as another
 * program on the user's desktop would (issue 14 item 11: with one core busy, the default
 * thread count must not be more than 10% slower than one thread). They run at normal
 * priority and are stopped when the bench ends, however it ends.
 */
export class BusyCores {
  private readonly children: ChildProcess[] = [];

  constructor(readonly count: number) {
    for (let i = 0; i < count; i++) {
      const c = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
      this.children.push(c);
    }
    const stop = (): void => this.stop();
    process.once('exit', stop);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        stop();
        process.exit(130);
      });
    }
  }

  stop(): void {
    for (const c of this.children.splice(0)) c.kill('SIGKILL');
  }
}
