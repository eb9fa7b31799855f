import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AdapterSummary, Backend } from '../../src/backends/backend.js';
import { DeviceError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';

const webgpu = vi.hoisted(() => ({
  probeWebGpu: vi.fn(),
  createWebGpuBackend: vi.fn(),
}));
vi.mock('../../src/backends/webgpu/create-backend.js', () => webgpu);

const { selectBackend } = await import('../../src/backends/select.js');

const hardware: AdapterSummary = { vendor: 'nvidia', architecture: 'hopper', device: 'H200', description: 'NVIDIA H200', isSoftware: false };
const software: AdapterSummary = { vendor: 'mesa', architecture: '', device: 'llvmpipe', description: 'lavapipe', isSoftware: true };
const fakeWebGpu = { info: { kind: 'webgpu', description: 'webgpu: NVIDIA H200', threads: 1 }, dispose: vi.fn() } as unknown as Backend;

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
}

describe('selectBackend', () => {
  const started: Backend[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((backend) => backend.dispose()));
    vi.clearAllMocks();
  });

  it('uses the CPU when asked, without probing', async () => {
    const selection = await selectBackend({ device: 'cpu', threads: 1 });
    started.push(selection.backend);
    expect(selection.backend.info.kind).toBe('cpu');
    expect(selection.reason).toBe('device "cpu" was requested');
    expect(webgpu.probeWebGpu).not.toHaveBeenCalled();
  });

  it('throws when WebGPU is requested and unavailable', async () => {
    webgpu.createWebGpuBackend.mockRejectedValue(new DeviceError('adapter_unavailable', 'no WebGPU adapter'));
    await expect(selectBackend({ device: 'webgpu' })).rejects.toMatchObject({ code: 'adapter_unavailable' });
  });

  it('picks WebGPU on a hardware adapter under auto', async () => {
    webgpu.probeWebGpu.mockResolvedValue({ available: true, adapter: hardware });
    webgpu.createWebGpuBackend.mockResolvedValue(fakeWebGpu);
    const logger = recordingLogger();
    const selection = await selectBackend({ device: 'auto', logger });
    expect(selection.backend).toBe(fakeWebGpu);
    expect(selection.reason).toBe('device "auto" found the hardware WebGPU adapter "NVIDIA H200"');
    expect(logger.warnings).toEqual([]);
  });

  it.each([
    ['no adapter', { available: false, reason: 'navigator.gpu is missing' }, 'no WebGPU adapter (navigator.gpu is missing)'],
    ['a software adapter', { available: true, adapter: software }, 'the WebGPU adapter "lavapipe" is a software renderer'],
  ])('falls back to the CPU with one warning on %s', async (_case, probe, because) => {
    webgpu.probeWebGpu.mockResolvedValue(probe);
    const logger = recordingLogger();
    const first = await selectBackend({ device: 'auto', threads: 1, logger });
    const second = await selectBackend({ device: 'auto', threads: 1, logger });
    started.push(first.backend, second.backend);
    expect(first.backend.info.kind).toBe('cpu');
    expect(first.reason).toBe(`device "auto" fell back to the CPU: ${because}`);
    expect(logger.warnings).toEqual([`[fallback] device "auto" fell back to the CPU: ${because}; pass device "cpu" to choose the CPU explicitly`]);
    expect(webgpu.createWebGpuBackend).not.toHaveBeenCalled();
  });

  it('falls back to the CPU when device creation fails on a hardware adapter', async () => {
    webgpu.probeWebGpu.mockResolvedValue({ available: true, adapter: hardware });
    webgpu.createWebGpuBackend.mockRejectedValue(new DeviceError('device_lost', 'requestDevice failed'));
    const selection = await selectBackend({ device: 'auto', threads: 1 });
    started.push(selection.backend);
    expect(selection.backend.info.kind).toBe('cpu');
    expect(selection.reason).toBe('device "auto" fell back to the CPU: creating a WebGPU device on "NVIDIA H200" failed: requestDevice failed');
  });
});
