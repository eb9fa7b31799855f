// Model interchange with the Python library implicit. Its AlternatingLeastSquares.save() (implicit/cpu/als.py)
// writes an .npz (np.savez) with the arrays user_factors and item_factors, nUsers x factors and
// nItems x factors, float32 unless the model used dtype float64. The parameters follow as 0-d arrays:
// factors, regularization, alpha, iterations, use_cg, cg_steps, calculate_training_loss, num_threads,
// use_native, dtype and, when set, random_state. Its load() sets every member as an attribute.

import { CsrMatrix } from '../../csr/csr-matrix.js';
import { IdMap } from '../../csr/id-map.js';
import { InputError } from '../../errors.js';
import type { ModelFileContents } from '../model-file/contents.js';
import { readNpz, writeNpz } from './npz.js';
import { unicodeDescr, type NpyArray } from './npy.js';

/** Members holding external ids, which implicit does not have; its load() keeps them as plain attributes. */
export const USER_IDS_MEMBER = 'osusume_user_ids';
export const ITEM_IDS_MEMBER = 'osusume_item_ids';

/** Reads a 2-d factor matrix member as float32, converting float64. */
function readFactors(path: string, arrays: Map<string, NpyArray>, name: string): { values: Float32Array; rows: number; factors: number } {
  const array = arrays.get(name);
  if (array === undefined) throw new InputError('invalid_file', `${path}: member ${name}.npy is missing; pass an .npz written by implicit's AlternatingLeastSquares.save()`, { where: `${path} ${name}` });
  if (array.shape.length !== 2 || !(array.data instanceof Float32Array || array.data instanceof Float64Array)) {
    throw new InputError('invalid_file', `${path}: member ${name}.npy is ${array.descr} with shape (${array.shape.join(', ')}); expected a 2-d float32 or float64 matrix`, { where: `${path} ${name}` });
  }
  const values = array.data instanceof Float32Array ? array.data : Float32Array.from(array.data);
  return { values, rows: array.shape[0], factors: array.shape[1] };
}

/** Returns a 0-d member as a number or boolean, or undefined when it is absent or not a numeric scalar. */
function readScalar(arrays: Map<string, NpyArray>, name: string): number | undefined {
  const array = arrays.get(name);
  if (array === undefined || array.shape.length !== 0 || Array.isArray(array.data)) return undefined;
  const value = array.data[0];
  return typeof value === 'bigint' ? Number(value) : value;
}

function readIds(path: string, arrays: Map<string, NpyArray>, name: string, count: number): IdMap {
  const array = arrays.get(name);
  if (array === undefined) return new IdMap(Array.from({ length: count }, (_, index) => index));
  const ids = Array.isArray(array.data) ? array.data : Array.from(array.data as ArrayLike<number | bigint>, String);
  const idMap = new IdMap(ids);
  if (array.shape.length !== 1 || ids.length !== count || idMap.size !== count) {
    throw new InputError('invalid_file', `${path}: member ${name}.npy contains ${idMap.size} distinct ids for ${count} factor rows; expected one unique id per row`, { where: `${path} ${name}` });
  }
  return idMap;
}

/**
 * Reads an .npz written by implicit's AlternatingLeastSquares.save() (implicit 0.5 to 0.7) into model
 * contents. Ids are the row indices "0", "1", ... as in implicit, unless the file has the
 * osusume_user_ids / osusume_item_ids members that writeImplicitNpz adds. The training matrix is
 * empty, because implicit does not save it, so recommendations filter nothing unless given the items.
 * NOTE: implicit weights a stored value r as confidence alpha * r, osusume as 1 + alpha * r. Factors
 * carry over unchanged, but fold-in of new users matches implicit only for the same confidence values.
 */
export async function readImplicitNpz(path: string): Promise<ModelFileContents> {
  const arrays = await readNpz(path);
  const users = readFactors(path, arrays, 'user_factors');
  const items = readFactors(path, arrays, 'item_factors');
  if (users.factors !== items.factors) {
    throw new InputError('invalid_file', `${path}: user_factors has ${users.factors} columns but item_factors has ${items.factors}; both must have one column per factor`, { where: path });
  }
  const seed = readScalar(arrays, 'random_state');
  const useCg = readScalar(arrays, 'use_cg');
  const options = {
    factors: users.factors,
    regularization: readScalar(arrays, 'regularization') ?? 0.01,
    alpha: readScalar(arrays, 'alpha') ?? 1,
    iterations: readScalar(arrays, 'iterations') ?? 15,
    solver: useCg === 0 ? ('cholesky' as const) : ('cg' as const),
    cgSteps: readScalar(arrays, 'cg_steps') ?? 3,
    calculateTrainingLoss: readScalar(arrays, 'calculate_training_loss') === 1,
    seed: seed !== undefined && Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? seed : undefined,
  };
  const empty = new CsrMatrix({ indptr: new Uint32Array(users.rows + 1), indices: new Uint32Array(0), data: new Float32Array(0), shape: [users.rows, items.rows] }, { validate: false });
  return {
    options,
    userFactors: users.values,
    itemFactors: items.values,
    userItems: empty,
    userIds: readIds(path, arrays, USER_IDS_MEMBER, users.rows),
    itemIds: readIds(path, arrays, ITEM_IDS_MEMBER, items.rows),
    training: { seed: options.seed, losses: [], source: 'implicit npz' },
  };
}

const scalar = (descr: string, data: NpyArray['data']): NpyArray => ({ descr, shape: [], data });

/**
 * Writes `contents` as the .npz that implicit's AlternatingLeastSquares.load() reads (float32 factors,
 * implicit's parameter names), atomically. With includeIds (default true) the external ids go into
 * two extra string members, so a file that travels to Python and back keeps them.
 */
export async function writeImplicitNpz(path: string, contents: ModelFileContents, options: { includeIds?: boolean } = {}): Promise<void> {
  const { factors } = contents.options;
  const members: Array<[string, NpyArray]> = [
    ['user_factors', { descr: '<f4', shape: [contents.userIds.size, factors], data: contents.userFactors }],
    ['item_factors', { descr: '<f4', shape: [contents.itemIds.size, factors], data: contents.itemFactors }],
    ['regularization', scalar('<f8', Float64Array.of(contents.options.regularization))],
    ['factors', scalar('<i8', BigInt64Array.of(BigInt(factors)))],
    ['num_threads', scalar('<i8', BigInt64Array.of(0n))],
    ['iterations', scalar('<i8', BigInt64Array.of(BigInt(contents.options.iterations)))],
    ['use_native', scalar('|b1', Uint8Array.of(1))],
    ['use_cg', scalar('|b1', Uint8Array.of(contents.options.solver === 'cg' ? 1 : 0))],
    ['cg_steps', scalar('<i8', BigInt64Array.of(BigInt(contents.options.cgSteps)))],
    ['calculate_training_loss', scalar('|b1', Uint8Array.of(contents.options.calculateTrainingLoss ? 1 : 0))],
    ['dtype', scalar('<U7', ['float32'])],
    ['alpha', scalar('<f8', Float64Array.of(contents.options.alpha))],
  ];
  const seed = contents.training.seed ?? contents.options.seed;
  if (seed !== undefined) members.push(['random_state', scalar('<i8', BigInt64Array.of(BigInt(seed)))]);
  if (options.includeIds ?? true) {
    for (const [name, idMap, kind] of [[USER_IDS_MEMBER, contents.userIds, 'user'], [ITEM_IDS_MEMBER, contents.itemIds, 'item']] as const) {
      const ids = idMap.toArray();
      // NumPy pads fixed-width strings with U+0000 and drops it when reading, so such an id cannot come back.
      const withNul = ids.findIndex((id) => id.includes('\u0000'));
      if (withNul >= 0) {
        throw new InputError('invalid_id', `${path}: cannot save ${kind} id ${JSON.stringify(ids[withNul])} (index ${withNul}) for implicit: invalid id, it contains U+0000, which NumPy strings drop; save to an osusume model file instead, or pass includeIds: false`, {
          where: path,
          received: JSON.stringify(ids[withNul]),
        });
      }
      members.push([name, { descr: unicodeDescr(ids), shape: [ids.length], data: ids }]);
    }
  }
  await writeNpz(path, members);
}
