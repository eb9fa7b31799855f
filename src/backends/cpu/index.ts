// Public entry of the CPU backend.

export { createCpuBackend, DEFAULT_INLINE_MAX_WORK, MAX_THREADS, type CpuBackendOptions } from './create-backend.js';
