// Scores one user's top-K list against that user's held-out items and sums the results over users,
// with the per-user terms of implicit's ranking_metrics_at_k (implicit/evaluation.pyx, commit 89f4316).
// docs/metrics.md gives every formula.

/** The five metrics at K, and how many users they were averaged over. */
export interface RankingMetrics {
  /** Hits summed over users, divided by the sum over users of min(K, held-out items). */
  precision: number;
  /** Mean over users of average precision at K, normalised by min(K, held-out items). */
  map: number;
  /** Mean over users of binary-relevance nDCG at K. */
  ndcg: number;
  /** Mean over users of AUC with the ranking truncated at K (the unranked rest counted as ties). */
  auc: number;
  /** Mean over users of hits / held-out items (implicit's evaluation module has no recall). */
  recall: number;
  /** Users with at least one held-out item: the users averaged over. */
  users: number;
}

/** Running sums of ranking_metrics_at_k over users, in float64. */
export class RankingAccumulator {
  private readonly k: number;
  private readonly nItems: number;
  /** discount[i] = 1 / log2(i + 2), the gain of a hit at 0-based rank i. */
  private readonly discount: Float64Array;
  /** idealDcg[j] = discount[0] + ... + discount[j]: the DCG of j + 1 hits at the top. */
  private readonly idealDcg: Float64Array;

  private hits = 0;
  private precisionDenominator = 0;
  private averagePrecisionSum = 0;
  private ndcgSum = 0;
  private aucSum = 0;
  private recallSum = 0;
  private userCount = 0;

  constructor(k: number, nItems: number) {
    this.k = k;
    this.nItems = nItems;
    this.discount = new Float64Array(k);
    this.idealDcg = new Float64Array(k);
    let total = 0;
    for (let i = 0; i < k; i++) {
      this.discount[i] = 1 / Math.log2(i + 2);
      total += this.discount[i];
      this.idealDcg[i] = total;
    }
  }

  /**
   * Adds one user. `ranking` contains the user's top K item ids, best first, with -1 for padding.
   * `heldOut` contains the user's held-out item ids, sorted ascending and unique (a CSR row), not empty.
   * Ids outside [0, nItems), padding included, count as misses, as implicit counts its -1 fill.
   */
  addUser(ranking: ArrayLike<number>, heldOut: Uint32Array): void {
    const k = this.k;
    const positives = heldOut.length;
    const negatives = this.nItems - positives;
    const relevantAtK = Math.min(k, positives);

    let hits = 0;
    let misses = 0;
    let averagePrecision = 0;
    let dcg = 0;
    // Correctly ordered (held-out item, negative item) pairs: a miss at rank i is below every hit above it.
    let correctPairs = 0;
    for (let i = 0; i < k; i++) {
      const id = i < ranking.length ? ranking[i] : -1;
      if (containsSorted(heldOut, id)) {
        hits++;
        averagePrecision += hits / (i + 1);
        dcg += this.discount[i];
      } else {
        misses++;
        correctPairs += hits;
      }
    }
    // Below rank K nothing is ranked: the `negatives - misses` unranked negatives each beat none of
    // the hits and tie with the `positives - hits` unranked positives, which counts as half.
    correctPairs += ((hits + positives) / 2) * (negatives - misses);

    this.hits += hits;
    this.precisionDenominator += relevantAtK;
    this.averagePrecisionSum += averagePrecision / relevantAtK;
    this.ndcgSum += dcg / this.idealDcg[relevantAtK - 1];
    this.aucSum += correctPairs / (positives * negatives);
    this.recallSum += hits / positives;
    this.userCount++;
  }

  /** Users added so far. */
  get users(): number {
    return this.userCount;
  }

  /** Returns the metrics over the users added so far; every field but `users` is NaN when none was. */
  result(): RankingMetrics {
    const users = this.userCount;
    return {
      precision: this.hits / this.precisionDenominator,
      map: this.averagePrecisionSum / users,
      ndcg: this.ndcgSum / users,
      auc: this.aucSum / users,
      recall: this.recallSum / users,
      users,
    };
  }
}

/** Binary search for `id` in the ascending array `sorted`. */
function containsSorted(sorted: Uint32Array, id: number): boolean {
  if (id < 0) return false;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = sorted[mid];
    if (value === id) return true;
    if (value < id) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
