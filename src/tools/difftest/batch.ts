// Running a batch of cases on one side so that one case that stops the whole run (a wedged
// guest, an exit the host refuses, a timeout) costs only that case: the run resumes with the
// case after it, until every case has a result or `maxStops` cases have stopped runs.
import { type Case, type Result, encodeCases } from './format.ts';

export interface RunLike {
  results: Result[];
  ended: boolean;
  errors: string[];
  stderr: string;
  status: number | null;
  timedOut: boolean;
  seconds: number;
}

export interface Stop { index: number; message: string }
export interface BatchOutcome { results: Result[]; stops: Stop[]; seconds: number; runs: number }

export async function runResilient(run: (bin: Uint8Array) => Promise<RunLike>, cases: readonly Case[], maxStops = 20): Promise<BatchOutcome> {
  const out: BatchOutcome = { results: [], stops: [], seconds: 0, runs: 0 };
  let offset = 0;
  while (offset < cases.length) {
    const r = await run(encodeCases(cases.slice(offset)));
    out.runs++;
    out.seconds += r.seconds;
    for (const x of r.results) out.results.push({ ...x, index: x.index + offset });
    const done = r.results.length;
    if (r.ended && done === cases.length - offset) break;
    const why = r.timedOut ? 'timed out'
      : r.errors.length ? `runner error: ${r.errors.join('; ')}`
      : `stopped (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`;
    out.stops.push({ index: offset + done, message: why });
    if (out.stops.length >= maxStops || r.errors.length) break;
    offset += done + 1;
  }
  return out;
}
