// Two-way map between external ids (strings as read from files, or numbers) and dense row or column indices.

import { InputError } from '../errors.js';

/** External ids are kept as strings; numbers are converted with String(). */
export type ExternalId = string | number;

/** Dense index <-> external id, in first-seen order unless built otherwise. */
export class IdMap {
  private readonly ids: string[];
  private readonly lookup: Map<string, number>;

  constructor(ids: Iterable<ExternalId> = []) {
    this.ids = [];
    this.lookup = new Map();
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.ids.length;
  }

  /** Returns the index of `id`, adding it at the end when it is new. */
  add(id: ExternalId): number {
    const key = String(id);
    const existing = this.lookup.get(key);
    if (existing !== undefined) return existing;
    const index = this.ids.length;
    this.ids.push(key);
    this.lookup.set(key, index);
    return index;
  }

  /** Returns the index of `id`, or undefined when it is not in the map. */
  find(id: ExternalId): number | undefined {
    return this.lookup.get(String(id));
  }

  /** Returns the index of `id`, or throws InputError (code unknown_id) naming the id and the kind of id. */
  indexOf(id: ExternalId, kind: 'user' | 'item' = 'user'): number {
    const index = this.lookup.get(String(id));
    if (index === undefined) {
      throw new InputError('unknown_id', `unknown ${kind} id ${JSON.stringify(String(id))}; it is not among the ${this.ids.length} ${kind} ids of the training data`, { where: `${kind} id`, received: String(id) });
    }
    return index;
  }

  /** Returns the external id at `index`. */
  idAt(index: number): string {
    return this.ids[index];
  }

  /** All ids in index order (a copy). */
  toArray(): string[] {
    return this.ids.slice();
  }
}
