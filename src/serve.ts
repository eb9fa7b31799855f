// The `osusume/serve` entry point: the HTTP recommend server, its fastify plugin and a framework-neutral
// handler. Kept apart from the main entry so library users who never serve do not load fastify.

export * from './serve/index.js';
