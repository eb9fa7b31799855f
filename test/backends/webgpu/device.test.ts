// Adapter probing, device errors, device loss and process exit of the WebGPU backend.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWebGpuBackend, probeWebGpu } from '../../../src/backends/webgpu/create-backend.js';
import { acquireDevice } from '../../../src/backends/webgpu/device.js';
import { bufferUsage } from '../../../src/backends/webgpu/gpu-globals.js';
import { CsrMatrix } from '../../../src/csr/csr-matrix.js';
import { DeviceError } from '../../../src/errors.js';
import { hasAdapter } from './adapter-gate.js';

const exitScript = fileURLToPath(new URL('./exit-check.ts', import.meta.url));

/** Runs exit-check.ts in a fresh Node process; a process kept alive by the GPU hits the timeout. */
function runExitCheck(mode: string): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, ['--import', 'tsx', exitScript, mode], { timeout: 60_000, encoding: 'utf8' });
}

const tinyMatrix = new CsrMatrix({ indptr: new Uint32Array([0, 1]), indices: new Uint32Array([0]), data: new Float32Array([2]), shape: [1, 1] });
const tinyProblem = { userItems: tinyMatrix, itemUsers: tinyMatrix.transpose(), factors: 1, userFactors: new Float32Array([0.5]), itemFactors: new Float32Array([0.5]) };

describe.skipIf(!hasAdapter)('webgpu device', () => {
  it('probe summarises the adapter', async () => {
    const probe = await probeWebGpu();
    expect(probe.available).toBe(true);
    if (!probe.available) return;
    expect(probe.adapter.description.length + probe.adapter.device.length).toBeGreaterThan(0);
    if (/llvmpipe|lavapipe|swiftshader/i.test(probe.adapter.description)) expect(probe.adapter.isSoftware).toBe(true);
  });

  it('backend info names the adapter', async () => {
    const backend = await createWebGpuBackend();
    expect(backend.info.kind).toBe('webgpu');
    expect(backend.info.threads).toBe(1);
    expect(backend.info.description).toMatch(/^webgpu: /);
    expect(backend.info.adapter).toBeDefined();
    await backend.dispose();
  });

  it('turns a validation error into DeviceError naming the label', async () => {
    const context = await acquireDevice();
    // MAP_READ may only be combined with COPY_DST, so this buffer is invalid.
    const failure = await context
      .scoped('invalidBufferCheck', () => context.device.createBuffer({ label: 'invalidBuffer', size: 16, usage: bufferUsage.MAP_READ | bufferUsage.STORAGE }))
      .catch((error: unknown) => error);
    context.destroy();
    expect(failure).toBeInstanceOf(DeviceError);
    expect((failure as DeviceError).code).toBe('gpu_validation');
    expect((failure as DeviceError).message).toMatch(/^GPU validation failed in invalidBufferCheck: /);
  });

  it('reports a lost device as DeviceError device_lost', async () => {
    const context = await acquireDevice();
    // Destroying the device behind the context's back is how a driver reset looks to the context.
    context.device.destroy();
    await context.device.lost;
    expect(() => context.assertAlive('solve')).toThrow(DeviceError);
    expect(() => context.assertAlive('solve')).toThrow(/solve failed: the WebGPU device was lost \(destroyed: /);
    context.destroy();
  });

  it('rejects use after dispose', async () => {
    const backend = await createWebGpuBackend();
    const session = await backend.startFit(tinyProblem);
    await backend.dispose();
    await expect(session.solve('users', { regularization: 0.1, solver: 'cg', cgSteps: 1 })).rejects.toThrow(/solve called on a disposed fit session/);
    await expect(backend.startFit(tinyProblem)).rejects.toThrow(/startFit called on a disposed WebGPU backend/);
  });

  it.each(['probe', 'fit'])('process exits by itself after %s', (mode) => {
    const result = runExitCheck(mode);
    expect(result.error, String(result.stderr)).toBeUndefined();
    expect(result.status, String(result.stderr)).toBe(0);
    expect(result.stdout).toBe(`${mode} done\n`);
  });
});
