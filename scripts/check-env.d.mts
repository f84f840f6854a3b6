/** Types for scripts/check-env.mjs. */
export type NodeTask = 'build' | 'electron';
export declare function nodeProblem(task: NodeTask, version?: string): string | null;
export declare function chromiumProblem(env?: Record<string, string | undefined>): string | null;
