// Run as a child process by device.test.ts: uses the GPU, disposes, and must then exit on its own.
// Argument "probe" only probes for an adapter; "fit" also runs one solve and one top-N.

import { createWebGpuBackend, probeWebGpu } from '../../../src/backends/webgpu/create-backend.js';
import { CsrMatrix } from '../../../src/csr/csr-matrix.js';

const mode = process.argv[2];
const probe = await probeWebGpu();
if (!probe.available) throw new Error(`no adapter: ${probe.reason}`);

if (mode === 'fit') {
  const userItems = new CsrMatrix({ indptr: new Uint32Array([0, 1, 2]), indices: new Uint32Array([0, 1]), data: new Float32Array([2, 3]), shape: [2, 2] });
  const backend = await createWebGpuBackend();
  const session = await backend.startFit({ userItems, itemUsers: userItems.transpose(), factors: 2, userFactors: new Float32Array([0.1, 0.2, 0.3, 0.4]), itemFactors: new Float32Array([0.5, 0.6, 0.7, 0.8]) });
  await session.solve('users', { regularization: 0.1, solver: 'cg', cgSteps: 2 });
  const scorer = await backend.createScorer(await session.readFactors('users'), 2);
  await scorer.topN({ queries: new Float32Array([1, 1]), n: 2 });
  await backend.dispose();
}
process.stdout.write(`${mode} done\n`);
