// Loads the WebAssembly fast path of the delimited loader (AssemblyScript in wasm/loader/, compiled by
// scripts/build-wasm.ts). When it cannot load, the loader parses every line in TypeScript, which gives
// the same result more slowly.

import { readFile } from 'node:fs/promises';
import type { DelimitedLayout } from './formats.js';

/** The exports of loader.wasm. Pointers are byte offsets into its own memory. */
export interface LoaderKernelExports {
  memory: WebAssembly.Memory;
  configure(delimiter: number, columnCount: number, userColumn: number, itemColumn: number, fallbackColumn: number, valueColumn: number, nameColumn: number): void;
  reserveInput(bytes: number): number;
  outputUsersAt(): number;
  outputItemsAt(): number;
  outputValuesAt(): number;
  outputCapacity(): number;
  outputLength(): number;
  scannedLineCount(): number;
  pendingAt(): number;
  clearOutput(): void;
  scan(position: number, end: number): number;
  findNewline(position: number, end: number): number;
  userTable(): number;
  itemTable(): number;
  lookUpKey(table: number, key: number, length: number): number;
  addKey(table: number, key: number, length: number, index: number): void;
  reserveScratch(bytes: number): number;
}

/** Columns the module keeps bounds for. A layout that needs a later one is parsed in TypeScript. */
const MAX_KERNEL_COLUMNS = 16;

/** Line parser choice of later loads: the WebAssembly fast path when it loads ('auto'), or always TypeScript. */
export type LoaderKernelChoice = 'auto' | 'typescript';

let choice: LoaderKernelChoice = 'auto';
let loading: Promise<WebAssembly.Module | undefined> | undefined;
let failure: string | undefined;

/**
 * Chooses the line parser of later loads. Both give identical results; 'typescript' exists so tests
 * can compare the two and so the fast path can be ruled out when a result looks wrong.
 */
export function setLoaderKernelChoice(next: LoaderKernelChoice): void {
  choice = next;
}

/** Returns why the fast path did not load, or undefined when it loaded or was not tried yet. */
export function loaderKernelFailure(): string | undefined {
  return failure;
}

/** True when the fast path can parse files of `layout`: a one-byte delimiter and columns it keeps. */
export function isKernelLayout(layout: DelimitedLayout): boolean {
  const columns = [layout.userColumn, layout.itemColumn, layout.valueColumn ?? 0, layout.itemFallbackColumn ?? 0, layout.nameColumn ?? 0];
  return layout.delimiter.length === 1 && Math.max(...columns) < MAX_KERNEL_COLUMNS;
}

/**
 * Returns a fresh instance of the fast path, with empty key tables, or undefined when the choice is
 * 'typescript' or the module cannot load. One instance serves every file of one id space, and its
 * tables are that space's only byte-to-index tables (see KernelKeyInterner).
 */
export async function createLoaderKernel(): Promise<LoaderKernelExports | undefined> {
  if (choice === 'typescript') return undefined;
  loading ??= compileLoader();
  const module = await loading;
  if (module === undefined) return undefined;
  return new WebAssembly.Instance(module, {}).exports as unknown as LoaderKernelExports;
}

function loaderWasmUrl(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('../../wasm/build/loader.wasm', import.meta.url);
  return new URL('./loader.wasm', import.meta.url);
}

async function compileLoader(): Promise<WebAssembly.Module | undefined> {
  const url = loaderWasmUrl();
  try {
    return await WebAssembly.compile(await readFile(url));
  } catch (error) {
    failure = `loading the WebAssembly loader ${url.pathname} failed (${(error as Error).message}); run npm run build to compile it`;
    return undefined;
  }
}
