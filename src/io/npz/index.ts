// Public entry of the NumPy .npy/.npz layer and the implicit model interchange built on it.

export { readImplicitNpz, writeImplicitNpz, ITEM_IDS_MEMBER, USER_IDS_MEMBER } from './implicit-npz.js';
export { readNpz, writeNpz } from './npz.js';
export { encodeNpy, parseNpy, type NpyArray, type NpyData } from './npy.js';
