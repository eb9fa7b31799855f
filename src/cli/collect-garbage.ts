// Runs a full garbage collection between bench phases, so arrays of a finished phase are freed before
// the next phase fills memory that is never returned (the CPU backend's WebAssembly arena).

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * Runs V8's full collector once. Without it, large typed arrays that nothing references can outlive
 * their phase, because filling the WebAssembly arena gives V8 no reason to collect: arena memory is
 * not counted as JavaScript or ArrayBuffer memory.
 *
 * NOTE: outside `node --expose-gc` this turns the flag on for a moment to obtain `gc`. Node documents
 * flags changed after start-up as unsupported; Node 20 honours this one for contexts created after it.
 */
export function collectGarbage(): void {
  collect ??= findCollector();
  collect();
}

function findCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  return gc;
}
