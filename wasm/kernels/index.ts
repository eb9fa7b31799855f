// Entry of the osusume WebAssembly kernels. The module imports one shared memory and keeps no state
// of its own, so every thread can instantiate it over the same memory. Callers pass byte offsets.

export { gramBand, gramScratchBytes } from './gram';
export { cgScratchBytes, loadGramF32, solveRowsCg } from './cg';
export { buildPanels, headSize, panelBytes, topNQuery } from './top-n';
