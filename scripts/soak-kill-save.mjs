// Soak test of saving under kill -9 (too long for `npm test`): trains a small model
// with --out again and again, kills the CLI at a random moment, and checks after
// every kill that the target is either absent, or a complete, well-formed model:
// never a stub, never a mix. At the end the leftover temp files of the killed saves
// (model.safetensors.<n>) are aged past the staleness threshold and one more save
// must sweep them all.
//
//   npm run build:cli && node scripts/soak-kill-save.mjs [kills=100]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = process.env.BPS_CLI ?? fileURLToPath(new URL('../dist/cli/backprop-studio.mjs', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('soak-kill-save: build the CLI first (npm run build:cli)\n');
  process.exit(1);
}
const kills = Number(process.argv[2] ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'bps-soak-'));
const rows = ['a,b,c,d,kind'];
for (let i = 0; i < 100; i++) rows.push(`${i % 7},${(i * 3) % 11},${(i * 5) % 13},${i % 2},k${i % 3}`);
writeFileSync(join(dir, 'data.csv'), rows.join('\n') + '\n');
const target = join(dir, 'model.safetensors');
// 4 million parameters: a 16 MB file, so that kills land inside the save often.
const args = ['train', 'data.csv', '--layers', '2000,2000,3', '--epochs', '1', '--standardize', '--out', 'model.safetensors'];

function run(killAfterMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: 'ignore' });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** A safetensors file as we write it: header length, JSON, and exactly the data its offsets cover. */
function checkModel(path) {
  const b = readFileSync(path);
  if (b.length < 8) return `only ${b.length} bytes`;
  const n = Number(b.readBigUInt64LE(0));
  if (8 + n > b.length) return 'header runs past the end';
  let header;
  try {
    header = JSON.parse(b.subarray(8, 8 + n).toString('utf8'));
  } catch (e) {
    return `header is not JSON (${e.message})`;
  }
  let end = 0;
  for (const [name, t] of Object.entries(header)) if (name !== '__metadata__') end = Math.max(end, t.data_offsets[1]);
  return 8 + n + end === b.length ? null : `${b.length} bytes, the header covers ${8 + n + end}`;
}

const temps = () => readdirSync(dir).filter((f) => /^model\.safetensors\.\d{6,10}$/.test(f));
// One whole run first: kills are spread over its length.
const t0 = Date.now();
await run();
const runMs = Date.now() - t0;
let corrupt = 0;
let killedMidSave = 0;
for (let k = 0; k < kills; k++) {
  const before = temps().length;
  await run(runMs * (0.5 + 0.5 * Math.random()));
  if (temps().length > before) killedMidSave++;
  if (existsSync(target)) {
    const problem = checkModel(target);
    if (problem) {
      corrupt++;
      process.stderr.write(`kill ${k + 1}: model.safetensors is damaged: ${problem}\n`);
    }
  }
}
const left = temps();
const past = new Date(Date.now() - 3600_000);
for (const f of left) utimesSync(join(dir, f), past, past);
const last = await run();
const after = temps();
process.stdout.write(
  `${kills} kills: ${corrupt} damaged saves, ${killedMidSave} kills left a temp file (${left.length} in all); ` +
    `a full save (exit ${last.code}) then left ${after.length} stale temp files\n`,
);
process.exit(corrupt === 0 && after.length === 0 && last.code === 0 ? 0 : 1);
