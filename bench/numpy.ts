/**
 * The NumPy side of the comparison: ../shared/anchors/numpy_twolayer.py and gemm.py,
 * run as they are, plus a few lines of NumPy for the rectangular and transposed
 * products (gemm.py only times square ones). Python runs without OPENBLAS_CORETYPE
 * and OPENBLAS_L2_SIZE so OpenBLAS picks its best kernel, as the anchors ask.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { GemmShape } from './gemm-shapes.js';
import type { Workload } from './workloads.js';

export interface PythonInfo {
  cmd: string;
  ok: boolean;
  /** NumPy version, or why NumPy cannot be used. */
  detail: string;
}

function pythonEnv(threads: number): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  for (const k of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS']) env[k] = String(threads);
  return env;
}

export function detectNumpy(cmd: string): PythonInfo {
  const r = spawnSync(cmd, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8', env: pythonEnv(1) });
  if (r.error) return { cmd, ok: false, detail: `${cmd} not found` };
  if (r.status !== 0) return { cmd, ok: false, detail: `${cmd} has no NumPy (${(r.stderr || '').trim().split('\n').pop()})` };
  return { cmd, ok: true, detail: r.stdout.trim() };
}

/** Run a Python script and return the JSON of its `RESULT {...}` line. */
export function runPython(cmd: string, args: string[], threads: number, cwd?: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: pythonEnv(threads), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').reverse().find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      resolve(JSON.parse(line.slice(7)) as Record<string, unknown>);
    });
  });
}

export function numpyWorkload(
  py: PythonInfo, anchors: string, w: Workload, threads: number, data: string,
): Promise<Record<string, unknown>> {
  // The anchors' default skips fc1's dx, as the engine does (network.gradient).
  const args = [join(anchors, 'numpy_twolayer.py'), '--data', data, ...w.numpyArgs, '--threads', String(threads), '--eval', '2000'];
  return runPython(py.cmd, args, threads, anchors);
}

export function numpyGemm1024(py: PythonInfo, anchors: string, threads: number): Promise<Record<string, unknown>> {
  return runPython(py.cmd, [join(anchors, 'gemm.py'), '--lib', 'numpy', '--threads', String(threads), '--n', '1024'], threads, anchors);
}

/** Same timing rule as gemm.py (3 warm-up calls, median of repetitions), for any shape and transpose. */
const SHAPES_SCRIPT = `
import json, sys, time, resource
import numpy as np
shapes = json.loads(sys.argv[1]); budget = float(sys.argv[2])
rng = np.random.default_rng(0)
out = []
for s in shapes:
    M, N, K = s["M"], s["N"], s["K"]
    A = rng.standard_normal((K, M) if s["transA"] else (M, K), dtype=np.float32)
    B = rng.standard_normal((N, K) if s["transB"] else (K, N), dtype=np.float32)
    a = A.T if s["transA"] else A
    b = B.T if s["transB"] else B
    C = np.empty((M, N), dtype=np.float32)
    f = lambda: np.matmul(a, b, out=C)
    t = time.perf_counter(); f(); first = max(time.perf_counter() - t, 1e-6)
    per = max(1, int(0.02 / first))
    for _ in range(min(per, 50)): f()
    ts = []; end = time.perf_counter() + budget
    while time.perf_counter() < end or len(ts) < 3:
        t = time.perf_counter()
        for _ in range(per): f()
        ts.append((time.perf_counter() - t) / per)
    g = sorted(2.0 * M * N * K / x / 1e9 for x in ts)
    out.append({"name": s["name"], "gflops": round(g[len(g) // 2], 2), "best_gflops": round(g[-1], 2), "samples": len(g)})
print("RESULT " + json.dumps({"impl": "numpy", "numpy": np.__version__, "shapes": out,
      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)}), flush=True)
`;

export function numpyShapes(py: PythonInfo, shapes: GemmShape[], threads: number, budgetS: number): Promise<Record<string, unknown>> {
  return runPython(py.cmd, ['-c', SHAPES_SCRIPT, JSON.stringify(shapes), String(budgetS)], threads);
}
