// Worker threads must never keep Node running once the program's own work is done.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../../src/backends/cpu/index.js';

const backendModule = fileURLToPath(new URL('../../../src/backends/cpu/index.ts', import.meta.url));

describe('cpu worker lifecycle', () => {
  it('lets the process exit when a backend is never disposed', () => {
    const script = [
      `const { createCpuBackend } = await import(${JSON.stringify(backendModule)});`,
      'const backend = await createCpuBackend({ threads: 2, inlineMaxWork: 0 });',
      'const scorer = await backend.createScorer(new Float32Array([1, 2, 3, 4]), 2);',
      'const result = await scorer.topN({ queries: new Float32Array([1, 0]), n: 1 });',
      'console.log(result.ids[0]);',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('1');
    expect(child.status).toBe(0);
  });

  it('rejects requests after dispose', async () => {
    const backend = await createCpuBackend({ threads: 1 });
    await backend.dispose();
    await expect(backend.createScorer(new Float32Array(2), 2)).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: this CPU backend was disposed; create a new one with createCpuBackend]`);
    // A second dispose is harmless.
    await backend.dispose();
  });

  it('rejects a thread count out of range', async () => {
    await expect(createCpuBackend({ threads: 0 })).rejects.toThrowErrorMatchingInlineSnapshot(`[InputError: threads is 0; expected an integer from 1 to 256]`);
  });
});
