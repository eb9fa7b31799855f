// Bounded min-heap of (item, score) pairs for top-N selection, stored in caller-owned typed arrays.
// The root is the worst kept pair, so a new pair only has to beat the root to enter.

/** True when (scoreA, idA) ranks below (scoreB, idB): a lower score, or an equal score and a higher index. */
export function ranksBelow(scoreA: number, idA: number, scoreB: number, idB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && idA > idB);
}

function siftDown(ids: Int32Array, scores: Float32Array, base: number, size: number, start: number): void {
  let position = start;
  const id = ids[base + position];
  const score = scores[base + position];
  for (;;) {
    let child = 2 * position + 1;
    if (child >= size) break;
    const right = child + 1;
    if (right < size && ranksBelow(scores[base + right], ids[base + right], scores[base + child], ids[base + child])) {
      child = right;
    }
    if (!ranksBelow(scores[base + child], ids[base + child], score, id)) break;
    ids[base + position] = ids[base + child];
    scores[base + position] = scores[base + child];
    position = child;
  }
  ids[base + position] = id;
  scores[base + position] = score;
}

/**
 * Offers (id, score) to the heap at ids/scores[base .. base + capacity), which currently contains
 * `size` pairs. Returns the new size. A full heap keeps the pair only when it ranks above the root.
 */
export function offerToHeap(
  ids: Int32Array,
  scores: Float32Array,
  base: number,
  size: number,
  capacity: number,
  id: number,
  score: number,
): number {
  if (size < capacity) {
    // Sift up from the new leaf.
    let position = size;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      if (!ranksBelow(score, id, scores[base + parent], ids[base + parent])) break;
      ids[base + position] = ids[base + parent];
      scores[base + position] = scores[base + parent];
      position = parent;
    }
    ids[base + position] = id;
    scores[base + position] = score;
    return size + 1;
  }
  if (capacity === 0 || !ranksBelow(scores[base], ids[base], score, id)) return size;
  ids[base] = id;
  scores[base] = score;
  siftDown(ids, scores, base, size, 0);
  return size;
}

/** Sorts the heap's `size` pairs in place into best-first order (heap sort, no allocation). */
export function sortHeapBestFirst(ids: Int32Array, scores: Float32Array, base: number, size: number): void {
  for (let end = size - 1; end > 0; end--) {
    // Move the worst remaining pair (the root) to the end of the unsorted part.
    const id = ids[base];
    const score = scores[base];
    ids[base] = ids[base + end];
    scores[base] = scores[base + end];
    ids[base + end] = id;
    scores[base + end] = score;
    siftDown(ids, scores, base, end, 0);
  }
}
