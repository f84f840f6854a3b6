// Choosing a compute backend in the studio: main stores it, forks the next engine with
// it in its environment, and restarts the engine through Reload's restore path, so the
// user keeps network, data and weights. Real supervisor and settings; fake process and clock.
import { describe, expect, it } from 'vitest';
import { FakeMessageChannelMain, FakeUtilityProcess } from '../fake-electron.js';
import { COMPUTE_BACKENDS, type EngineRestartEvent } from '../../../contract/studio-api.js';
import { COMPUTE_BACKEND_NAMES, switchComputeBackend } from '../../../electron/main/compute-backend.js';
import { EngineSupervisor } from '../../../electron/main/engine-supervisor.js';
import { engineForkOptions } from '../../../electron/main/engine-environment.js';
import { StudioSettings } from '../../../electron/main/studio-settings.js';
import { BACKEND_CHOICES } from '../../../node/backend-choice.js';

const flush = () => new Promise((r) => setTimeout(r, 0));

function studio(stored: string | null, mainEnv: Record<string, string> = {}) {
  const writes: string[] = [];
  let failWrite = false;
  const settings = new StudioSettings(
    {
      read: async () => stored,
      write: async (text) => {
        if (failWrite) throw new Error('cannot save: read-only file system');
        writes.push(text);
      },
    },
    { log: () => {} },
  );
  const forks: FakeUtilityProcess[] = [];
  const events: EngineRestartEvent[] = [];
  const ports: object[] = [];
  const supervisor = new EngineSupervisor(
    {
      // As main.ts does: the options are made at each fork, from the setting of that moment.
      fork: () => {
        const child = new FakeUtilityProcess('engine-process.js', [], engineForkOptions('Engine', mainEnv, '/tmp', settings.computeBackend));
        forks.push(child);
        return child;
      },
      createChannel: () => new FakeMessageChannelMain(),
      sendPortToRenderer: (port) => ports.push(port) > 0,
      notifyRenderer: (e) => events.push(e),
      setTimer: () => () => {},
      now: () => 0,
      log: () => {},
    },
    { heartbeat: false },
  );
  const env = (child: FakeUtilityProcess) => (child.options as { env: Record<string, string> }).env;
  return {
    settings, supervisor, forks, events, ports, writes, env,
    failWrites: () => {
      failWrite = true;
    },
    choose: (backend: (typeof COMPUTE_BACKENDS)[number]) => switchComputeBackend({ settings, engine: supervisor }, backend),
  };
}

/** The user's network, data and a checkpoint, as the engine reports them. */
function reportState(child: FakeUtilityProcess) {
  child.emit('message', { type: 'state', command: { type: 'configure', id: 1, spec: { inputSize: 4, layers: [{ kind: 'affine', units: 3 }] }, training: {} } });
  child.emit('message', { type: 'state', command: { type: 'loadData', id: 2, name: 'iris.csv', bytes: new Uint8Array([1]), options: {} } });
  child.emit('message', { type: 'checkpoint', epoch: 4, iteration: 80, endEpoch: null, bytes: new Uint8Array([7]).buffer });
}

function answerRestore(child: FakeUtilityProcess): string[] {
  const req = child.postedOfType('run-commands').at(-1)!.message as { requestId: number; commands: { type: string }[] };
  child.emit('message', { type: 'commands-done', requestId: req.requestId, outcomes: req.commands.map((c) => ({ ok: true, type: c.type })) });
  return req.commands.map((c) => c.type);
}

describe('choosing the compute backend', () => {
  it('offers exactly the backends the engine and the CLI know', () => {
    expect([...COMPUTE_BACKENDS]).toEqual([...BACKEND_CHOICES]);
    expect(Object.keys(COMPUTE_BACKEND_NAMES)).toEqual([...COMPUTE_BACKENDS]);
  });

  it('the first engine starts on the stored choice', async () => {
    const t = studio('{"version":1,"computeBackend":"reference"}');
    await t.settings.load();
    t.supervisor.start();
    expect(t.env(t.forks[0]!).BACKPROP_STUDIO_BACKEND).toBe('reference');
  });

  it('stores the choice, restarts the engine on it and restores the network, data and weights', async () => {
    const t = studio(null, { BACKPROP_STUDIO_THREADS: '2', HOME: '/home/ada' });
    await t.settings.load();
    t.supervisor.start();
    const first = t.forks[0]!;
    expect(t.env(first)).toEqual({ BACKPROP_STUDIO_BACKEND: 'auto', BACKPROP_STUDIO_THREADS: '2' });
    reportState(first);

    await t.choose('wasm');
    expect(JSON.parse(t.writes.at(-1)!)).toEqual({ version: 1, computeBackend: 'wasm' });
    expect(first.killed).toBe(true);
    await flush();
    expect(t.forks).toHaveLength(2);
    const second = t.forks[1]!;
    expect(t.env(second)).toEqual({ BACKPROP_STUDIO_BACKEND: 'wasm', BACKPROP_STUDIO_THREADS: '2' });
    expect(answerRestore(second)).toEqual(['configure', 'loadData', 'restoreCheckpoint']);
    await flush();
    expect(t.supervisor.state).toBe('running');
    expect(t.ports).toHaveLength(1); // the renderer gets a port to the new engine, which then sends `ready`
    expect(t.events.map((e) => [e.phase, e.reason, e.message])).toEqual([
      ['restarting', 'reload', 'Restarting the engine with the compute backend WebAssembly…'],
      [
        'restarted',
        'reload',
        'The engine was restarted with the compute backend WebAssembly. Restored the network, the data (iris.csv) and the weights of epoch 4.',
      ],
    ]);
  });

  it('the same choice again restarts nothing and writes nothing', async () => {
    const t = studio('{"version":1,"computeBackend":"native"}');
    await t.settings.load();
    t.supervisor.start();
    await t.choose('native');
    expect(t.forks).toHaveLength(1);
    expect(t.writes).toEqual([]);
    expect(t.events).toEqual([]);
  });

  it('a choice that cannot be saved is refused and the engine keeps running as it was', async () => {
    const t = studio(null);
    await t.settings.load();
    t.supervisor.start();
    t.failWrites();
    await expect(t.choose('reference')).rejects.toThrow('read-only file system');
    expect(t.settings.computeBackend).toBe('auto');
    expect(t.forks).toHaveLength(1);
    expect(t.forks[0]!.killed).toBe(false);
  });
});
