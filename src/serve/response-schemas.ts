// JSON schemas of the successful responses. With them fastify serialises replies with
// fast-json-stringify, which writes the known fields in order instead of walking each object as
// JSON.stringify does. Fields that a schema does not list are dropped from the reply.

const scoredItems = {
  type: 'array',
  items: {
    type: 'object',
    properties: { itemId: { type: 'string' }, score: { type: 'number' } },
    required: ['itemId', 'score'],
  },
} as const;

/** 200 reply of GET and POST /recommend: RecommendResponse. */
export const recommendResponseSchema = {
  type: 'object',
  properties: { user: { type: ['string', 'null'] }, items: scoredItems },
  required: ['user', 'items'],
} as const;

/** 200 reply of GET /similar-items: SimilarItemsResponse. */
export const similarItemsResponseSchema = {
  type: 'object',
  properties: { item: { type: 'string' }, items: scoredItems },
  required: ['item', 'items'],
} as const;
