// Zod schemas of the HTTP parameters; parseOrThrow turns failures into InputError naming the field.

import { z } from 'zod';
import { userItemsSchema } from '../options.js';

/** Largest `n` a request may ask for; larger lists belong in batch jobs, not in a request path. */
export const MAX_REQUEST_RESULTS = 1000;
/** Largest number of items a POST /recommend body may carry. */
export const MAX_REQUEST_ITEMS = 10_000;

const resultCount = (coerce: boolean) => {
  const message = `expected an integer from 1 to ${MAX_REQUEST_RESULTS}`;
  const base = coerce ? z.coerce.number({ error: message }) : z.number({ error: message });
  return base.int({ error: message }).min(1, { error: message }).max(MAX_REQUEST_RESULTS, { error: message }).default(10);
};

const idText = z.string({ error: 'expected an id' }).min(1, { error: 'expected a non-empty id' }).max(1024, { error: 'expected an id of at most 1024 characters' });

/** GET /recommend?user=ID&n=10 */
export const recommendQuerySchema = z.object({ user: idText, n: resultCount(true) });

/** GET /similar-items?item=ID&n=10 */
export const similarItemsQuerySchema = z.object({ item: idText, n: resultCount(true) });

/** POST /recommend with { items: [id | [id, value]], n?, user? } */
export const recommendBodySchema = z.strictObject(
  {
    items: userItemsSchema.max(MAX_REQUEST_ITEMS, { error: `expected at most ${MAX_REQUEST_ITEMS} items` }),
    n: resultCount(false),
    user: z.union([idText, z.number()], { error: 'expected a string or number id' }).optional(),
  },
  { error: 'expected a JSON object { items, n, user }' },
);

export type RecommendQuery = z.input<typeof recommendQuerySchema>;
export type SimilarItemsQuery = z.input<typeof similarItemsQuerySchema>;
export type RecommendBody = z.input<typeof recommendBodySchema>;
