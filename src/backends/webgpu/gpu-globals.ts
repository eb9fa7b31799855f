// The Dawn instance and the WebGPU enum objects, taken from the `webgpu` package without touching
// globalThis, so importing the library does not change the host process.

import { create, globals } from 'webgpu';

interface DawnGlobals {
  GPUBufferUsage: GPUFlagsConstantsOf<'MAP_READ' | 'MAP_WRITE' | 'COPY_SRC' | 'COPY_DST' | 'INDEX' | 'VERTEX' | 'UNIFORM' | 'STORAGE' | 'INDIRECT' | 'QUERY_RESOLVE'>;
  GPUMapMode: GPUFlagsConstantsOf<'READ' | 'WRITE'>;
}

type GPUFlagsConstantsOf<Name extends string> = { readonly [K in Name]: number };

const dawnGlobals = globals as DawnGlobals;

/** GPUBufferUsage flags (STORAGE, COPY_DST, ...). */
export const bufferUsage = dawnGlobals.GPUBufferUsage;

/** GPUMapMode flags (READ, WRITE). */
export const mapMode = dawnGlobals.GPUMapMode;

let instance: GPU | undefined;

/** Returns the process-wide Dawn instance, creating it on first use. */
export function getGpu(): GPU {
  instance ??= create([]);
  return instance;
}
