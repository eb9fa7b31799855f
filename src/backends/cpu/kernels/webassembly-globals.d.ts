// The part of the WebAssembly JavaScript API that the CPU backend uses. Node has it as a global, but
// the project compiles with lib ES2022 only (no DOM), which leaves it undeclared.

declare namespace WebAssembly {
  interface Module {}

  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }

  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    /** Grows the memory by `delta` pages of 64 KiB and returns the previous size in pages. */
    grow(delta: number): number;
  }

  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }

  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
}
