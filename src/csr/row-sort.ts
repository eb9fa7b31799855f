// Sorting one CSR row segment by column index, carrying the values along, without allocating.

/** Rows up to this length are insertion-sorted; longer ones use quicksort down to this size. */
const INSERTION_SORT_MAX = 24;

/**
 * Sorts `indices[start..end)` in increasing order and permutes `data[start..end)` the same way.
 * Equal indices stay adjacent, which is all duplicate summing needs; their order is not kept.
 * Returns at once when the segment is already sorted, the common case for files sorted by item.
 */
export function sortRowSegment(indices: Uint32Array, data: Float32Array, start: number, end: number): void {
  if (isSorted(indices, start, end)) return;
  quicksort(indices, data, start, end - 1);
}

function isSorted(indices: Uint32Array, start: number, end: number): boolean {
  for (let k = start + 1; k < end; k++) {
    if (indices[k] < indices[k - 1]) return false;
  }
  return true;
}

function insertionSort(indices: Uint32Array, data: Float32Array, low: number, high: number): void {
  for (let i = low + 1; i <= high; i++) {
    const index = indices[i];
    const value = data[i];
    let j = i - 1;
    while (j >= low && indices[j] > index) {
      indices[j + 1] = indices[j];
      data[j + 1] = data[j];
      j--;
    }
    indices[j + 1] = index;
    data[j + 1] = value;
  }
}

function swap(indices: Uint32Array, data: Float32Array, i: number, j: number): void {
  const index = indices[i];
  indices[i] = indices[j];
  indices[j] = index;
  const value = data[i];
  data[i] = data[j];
  data[j] = value;
}

/**
 * Hoare-partition quicksort on the inclusive range [low, high], median-of-three pivot.
 * It recurses into the smaller part and loops on the larger one, so the stack depth stays O(log n);
 * Hoare partitioning splits runs of equal keys evenly, so many duplicates do not make it quadratic.
 */
function quicksort(indices: Uint32Array, data: Float32Array, low: number, high: number): void {
  while (high - low >= INSERTION_SORT_MAX) {
    const middle = (low + high) >>> 1;
    if (indices[middle] < indices[low]) swap(indices, data, middle, low);
    if (indices[high] < indices[low]) swap(indices, data, high, low);
    if (indices[high] < indices[middle]) swap(indices, data, high, middle);
    const pivot = indices[middle];

    let i = low - 1;
    let j = high + 1;
    for (;;) {
      do i++;
      while (indices[i] < pivot);
      do j--;
      while (indices[j] > pivot);
      if (i >= j) break;
      swap(indices, data, i, j);
    }

    // [low, j] and [j + 1, high] are now ordered relative to each other.
    if (j - low < high - j) {
      quicksort(indices, data, low, j);
      low = j + 1;
    } else {
      quicksort(indices, data, j + 1, high);
      high = j;
    }
  }
  insertionSort(indices, data, low, high);
}
