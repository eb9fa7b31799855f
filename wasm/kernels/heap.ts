// Bounded min-heap of (item, score) pairs for top-N selection, the same ordering as the TypeScript
// heap (kernels/heap.ts): the root is the worst kept pair, a lower score or, on equal scores, a higher item.

/** True when (scoreA, idA) ranks below (scoreB, idB). */
// @ts-ignore: decorator
@inline
function ranksBelow(scoreA: f32, idA: i32, scoreB: f32, idB: i32): bool {
  return scoreA < scoreB || (scoreA == scoreB && idA > idB);
}

function siftDown(ids: usize, scores: usize, size: i32, start: i32): void {
  let position = start;
  const id = load<i32>(ids + (<usize>position << 2));
  const score = load<f32>(scores + (<usize>position << 2));
  for (;;) {
    let child = 2 * position + 1;
    if (child >= size) break;
    const right = child + 1;
    if (right < size && ranksBelow(load<f32>(scores + (<usize>right << 2)), load<i32>(ids + (<usize>right << 2)), load<f32>(scores + (<usize>child << 2)), load<i32>(ids + (<usize>child << 2)))) {
      child = right;
    }
    const childScore = load<f32>(scores + (<usize>child << 2));
    const childId = load<i32>(ids + (<usize>child << 2));
    if (!ranksBelow(childScore, childId, score, id)) break;
    store<i32>(ids + (<usize>position << 2), childId);
    store<f32>(scores + (<usize>position << 2), childScore);
    position = child;
  }
  store<i32>(ids + (<usize>position << 2), id);
  store<f32>(scores + (<usize>position << 2), score);
}

/** Offers (id, score) to a heap of `size` pairs and room for `capacity`; returns the new size. */
export function offerToHeap(ids: usize, scores: usize, size: i32, capacity: i32, id: i32, score: f32): i32 {
  if (size < capacity) {
    let position = size;
    while (position > 0) {
      const parent = (position - 1) >> 1;
      const parentScore = load<f32>(scores + (<usize>parent << 2));
      const parentId = load<i32>(ids + (<usize>parent << 2));
      if (!ranksBelow(score, id, parentScore, parentId)) break;
      store<i32>(ids + (<usize>position << 2), parentId);
      store<f32>(scores + (<usize>position << 2), parentScore);
      position = parent;
    }
    store<i32>(ids + (<usize>position << 2), id);
    store<f32>(scores + (<usize>position << 2), score);
    return size + 1;
  }
  if (capacity == 0 || !ranksBelow(load<f32>(scores), load<i32>(ids), score, id)) return size;
  store<i32>(ids, id);
  store<f32>(scores, score);
  siftDown(ids, scores, size, 0);
  return size;
}

/** Sorts the heap's `size` pairs in place into best-first order. */
export function sortHeapBestFirst(ids: usize, scores: usize, size: i32): void {
  for (let end = size - 1; end > 0; end--) {
    const id = load<i32>(ids);
    const score = load<f32>(scores);
    store<i32>(ids, load<i32>(ids + (<usize>end << 2)));
    store<f32>(scores, load<f32>(scores + (<usize>end << 2)));
    store<i32>(ids + (<usize>end << 2), id);
    store<f32>(scores + (<usize>end << 2), score);
    siftDown(ids, scores, end, 0);
  }
}
