// The recommendation server over real HTTP on 127.0.0.1: routes, validation, overload, reload and drain.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlternatingLeastSquares } from '../../src/als/index.js';
import type { Backend, TopNRequest } from '../../src/backends/backend.js';
import { createCpuBackend } from '../../src/backends/cpu/index.js';
import { IdMap } from '../../src/csr/id-map.js';
import { createRecommendServer, type RecommendServer, type ServeOptions } from '../../src/serve/index.js';
import { randomSparse } from '../helpers/small-matrices.js';

const folder = mkdtempSync(join(tmpdir(), 'osusume-serve-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const interactions = {
  userIds: new IdMap(Array.from({ length: 40 }, (_, u) => `u${u}`)),
  itemIds: new IdMap(Array.from({ length: 30 }, (_, i) => `i${i}`)),
  userItems: randomSparse(40, 30, 0.2, 5),
};

/** Float32 scores pass through JSON as float64 values of the same number; 1e-6 covers the printed digits. */
const SCORE_ABS = 1e-6;

/** Holds every scoring call of `model` until open() is called. */
function gateScoring(model: AlternatingLeastSquares): { open(): void; calls(): number } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const original = model.scoreTopN.bind(model);
  let calls = 0;
  model.scoreTopN = async (request: TopNRequest) => {
    calls++;
    await opened;
    return original(request);
  };
  return { open, calls: () => calls };
}

/** Holds every batched similar-items call of `model` until open() is called, and records each call's items. */
function gateSimilarItems(model: AlternatingLeastSquares): { open(): void; batches: number[][] } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const original = model.similarItemsTopN.bind(model);
  const batches: number[][] = [];
  model.similarItemsTopN = async (items: Uint32Array, n: number) => {
    batches.push(Array.from(items));
    await opened;
    return original(items, n);
  };
  return { open, batches };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('recommendation server', () => {
  let backend: Backend;
  let reference: AlternatingLeastSquares;
  let modelPath: string;
  const servers: RecommendServer[] = [];

  async function startServer(options: Partial<ServeOptions> = {}, path = modelPath): Promise<{ server: RecommendServer; url: string }> {
    const server = await createRecommendServer({ modelPath: path, port: 0, device: 'cpu', threads: 1, logLevel: 'silent', ...options });
    servers.push(server);
    return { server, url: await server.listen() };
  }

  beforeAll(async () => {
    backend = await createCpuBackend({ threads: 1 });
    reference = new AlternatingLeastSquares({ factors: 4, iterations: 3, seed: 1, backend });
    await reference.fit(interactions);
    modelPath = join(folder, 'model.osm');
    await reference.save(modelPath);
  });

  afterAll(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    await reference.dispose();
    await backend.dispose();
  });

  describe('routes', () => {
    let url: string;

    beforeAll(async () => {
      ({ url } = await startServer());
    });

    it('recommends for a known user', async () => {
      const response = await fetch(`${url}/recommend?user=u3&n=4`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { user: string; items: Array<{ itemId: string; score: number }> };
      const expected = await reference.recommend('u3', { n: 4 });
      expect(body.user).toBe('u3');
      expect(body.items.map((entry) => entry.itemId)).toEqual(expected.map((entry) => entry.itemId));
      body.items.forEach((entry, k) => expect(Math.abs(entry.score - expected[k].score)).toBeLessThan(SCORE_ABS));
    });

    it('folds in posted items', async () => {
      const items: Array<[string, number]> = [['i1', 2], ['i5', 1], ['i9', 3]];
      const response = await fetch(`${url}/recommend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items, n: 5, user: 'visitor' }) });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { user: string; items: Array<{ itemId: string }> };
      const expected = await reference.recommend('u0', { n: 5, recalculateUser: true, userItems: items });
      expect(body.user).toBe('visitor');
      expect(body.items.map((entry) => entry.itemId)).toEqual(expected.map((entry) => entry.itemId));
      expect(body.items.map((entry) => entry.itemId)).not.toContain('i5');
    });

    it('lists similar items', async () => {
      const response = await fetch(`${url}/similar-items?item=i2&n=3`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: Array<{ itemId: string }> };
      expect(body.items.map((entry) => entry.itemId)).toEqual((await reference.similarItems('i2', { n: 3 })).map((entry) => entry.itemId));
    });

    it('reports health', async () => {
      const response = await fetch(`${url}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', users: 40, items: 30, factors: 4, queued: 0 });
    });

    it('rejects bad parameters naming the field', async () => {
      const cases: Array<[string, RequestInit | undefined, string]> = [
        ['/recommend?user=u1&n=abc', undefined, 'query.n is "abc": expected an integer from 1 to 1000'],
        ['/recommend?n=3', undefined, 'query.user is missing'],
        ['/recommend?user=u1&n=0', undefined, 'query.n is "0"'],
        ['/similar-items?item=i1&n=5000', undefined, 'query.n is "5000"'],
        ['/recommend', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items": "i1"}' }, 'body.items is "i1"'],
        ['/recommend', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items": [], "colour": 1}' }, 'unknown option body.colour'],
        ['/recommend', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items": [' }, 'JSON'],
      ];
      for (const [path, init, message] of cases) {
        const response = await fetch(`${url}${path}`, init);
        expect(response.status, path).toBe(400);
        expect(((await response.json()) as { error: string }).error).toContain(message);
      }
    });

    it('answers 404 for unknown ids', async () => {
      const user = await fetch(`${url}/recommend?user=ghost`);
      expect(user.status).toBe(404);
      expect(((await user.json()) as { error: string }).error).toBe('unknown user id "ghost"; it is not among the 40 user ids of the training data');
      expect((await fetch(`${url}/similar-items?item=nothing`)).status).toBe(404);
      const posted = await fetch(`${url}/recommend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items": ["i1", "nothing"]}' });
      expect(posted.status).toBe(404);
    });

    it('serves Prometheus metrics', async () => {
      await fetch(`${url}/recommend?user=u1`);
      const response = await fetch(`${url}/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toMatch(/osusume_http_requests_total\{route="\/recommend",method="GET",status="200"\} \d+/);
      expect(text).toMatch(/osusume_http_requests_total\{route="\/recommend",method="GET",status="404"\} \d+/);
      expect(text).toContain('osusume_http_request_duration_seconds_bucket{le="0.01",route="/recommend",method="GET"}');
      expect(text).toContain('process_resident_memory_bytes');
    });
  });

  it('coalesces concurrent requests into batches', async () => {
    const { server, url } = await startServer();
    const gate = gateScoring(server.handler.model);
    const requests = Array.from({ length: 20 }, (_, k) => fetch(`${url}/recommend?user=u${k}&n=3`));
    await until(() => server.handler.health().queued === 20);
    gate.open();
    const responses = await Promise.all(requests);
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    // The first request is held alone; the 19 that arrive meanwhile form one batch.
    expect(gate.calls()).toBe(2);
    const body = (await responses[7].json()) as { items: Array<{ itemId: string }> };
    expect(body.items.map((entry) => entry.itemId)).toEqual((await reference.recommend('u7', { n: 3 })).map((entry) => entry.itemId));
  });

  it('coalesces concurrent similar-item requests', async () => {
    const { server, url } = await startServer();
    const items = Array.from({ length: 12 }, (_, k) => `i${(k * 7) % 30}`);
    // One by one first: each request is a batch of its own.
    const alone: unknown[] = [];
    for (const item of items) alone.push(await (await fetch(`${url}/similar-items?item=${item}&n=4`)).json());

    const gate = gateSimilarItems(server.handler.model);
    const requests = items.map((item, k) => fetch(`${url}/similar-items?item=${item}&n=${k % 2 === 0 ? 4 : 2}`));
    await until(() => server.handler.health().queued === items.length);
    gate.open();
    const responses = await Promise.all(requests);
    expect(responses.map((response) => response.status)).toEqual(Array(items.length).fill(200));
    // The first requests (those within the batching window) are held; the rest arrive meanwhile and form one batch.
    expect(gate.batches).toHaveLength(2);
    expect(gate.batches.flat().sort((a, b) => a - b)).toEqual(items.map((item) => Number(item.slice(1))).sort((a, b) => a - b));
    const together = (await Promise.all(responses.map((response) => response.json()))) as Array<{ item: string; items: unknown[] }>;
    together.forEach((body, k) => {
      const expected = alone[k] as { item: string; items: unknown[] };
      expect(body.item).toBe(items[k]);
      expect(body.items).toEqual(k % 2 === 0 ? expected.items : expected.items.slice(0, 2));
    });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/osusume_batch_size_count\{scorer="similar_items"\} 14/);
  });

  it('shares one queue bound between recommend and similar items', async () => {
    const { server, url } = await startServer({ maxQueue: 3 });
    const recommendGate = gateScoring(server.handler.model);
    const similarGate = gateSimilarItems(server.handler.model);
    const held = [fetch(`${url}/recommend?user=u1`), fetch(`${url}/recommend?user=u2`), fetch(`${url}/similar-items?item=i3`)];
    await until(() => server.handler.health().queued === 3);

    const rejected = await fetch(`${url}/similar-items?item=i4`);
    expect(rejected.status).toBe(503);
    expect(rejected.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${url}/recommend?user=u3`)).status).toBe(503);

    recommendGate.open();
    similarGate.open();
    expect((await Promise.all(held)).map((response) => response.status)).toEqual([200, 200, 200]);
    expect(server.handler.health().queued).toBe(0);
    expect((await fetch(`${url}/similar-items?item=i4`)).status).toBe(200);
  });

  it('computes Y^T Y before it serves a model', async () => {
    const prepare = vi.spyOn(AlternatingLeastSquares.prototype, 'prepareFoldIn');
    try {
      const { server } = await startServer();
      expect(prepare).toHaveBeenCalledTimes(1);
      expect(prepare.mock.contexts[0]).toBe(server.handler.model);
      await server.reload();
      expect(prepare).toHaveBeenCalledTimes(2);
      expect(prepare.mock.contexts[1]).toBe(server.handler.model);
    } finally {
      prepare.mockRestore();
    }
  });

  it('answers 503 with Retry-After when the queue is full, then recovers', async () => {
    const { server, url } = await startServer({ maxQueue: 3, retryAfterSeconds: 2 });
    const gate = gateScoring(server.handler.model);
    const held = Array.from({ length: 3 }, () => fetch(`${url}/recommend?user=u1`));
    await until(() => server.handler.health().queued === 3);

    const rejected = await Promise.all(Array.from({ length: 5 }, () => fetch(`${url}/recommend?user=u2`)));
    for (const response of rejected) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    gate.open();
    expect((await Promise.all(held)).map((response) => response.status)).toEqual([200, 200, 200]);
    expect((await fetch(`${url}/recommend?user=u2`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/status="503"\} 5/);
  });

  it('reloads the model without failing running requests', async () => {
    const path = join(folder, 'reload.osm');
    await reference.save(path);
    const { server, url } = await startServer({}, path);
    const first = server.handler.model;
    const gate = gateScoring(first);
    const running = fetch(`${url}/recommend?user=u4&n=3`);
    await until(() => gate.calls() === 1);

    const replacement = new AlternatingLeastSquares({ factors: 4, iterations: 3, seed: 99, backend });
    await replacement.fit(interactions);
    await replacement.save(path);
    const reloaded = server.reload();
    await until(() => server.handler.model !== first);

    const after = (await (await fetch(`${url}/recommend?user=u4&n=3`)).json()) as { items: Array<{ itemId: string }> };
    expect(after.items.map((entry) => entry.itemId)).toEqual((await replacement.recommend('u4', { n: 3 })).map((entry) => entry.itemId));
    expect(first.isFitted).toBe(true);

    gate.open();
    const before = await running;
    expect(before.status).toBe(200);
    const body = (await before.json()) as { items: Array<{ itemId: string }> };
    expect(body.items.map((entry) => entry.itemId)).toEqual((await reference.recommend('u4', { n: 3 })).map((entry) => entry.itemId));
    await reloaded;
    await expect(first.recommend('u4')).rejects.toThrow('the model was disposed');
    await replacement.dispose();
  });

  it('serves newest file after overlapping reloads', async () => {
    const path = join(folder, 'double-reload.osm');
    await reference.save(path);
    const { server } = await startServer({}, path);
    const modelA = new AlternatingLeastSquares({ factors: 5, iterations: 2, seed: 3, backend });
    const modelB = new AlternatingLeastSquares({ factors: 6, iterations: 2, seed: 4, backend });
    await Promise.all([modelA.fit(interactions), modelB.fit(interactions)]);
    await modelA.save(path);
    const first = server.reload();
    // The first reload has started reading model A; model B arrives before it ends, as with two quick SIGHUPs.
    await modelB.save(path);
    const second = server.reload();
    const third = server.reload();
    expect(third).toBe(second);
    await Promise.all([first, second]);
    expect(server.handler.health().factors).toBe(6);
    await Promise.all([modelA.dispose(), modelB.dispose()]);
  });

  it('disposes the model of a reload that ends after close began', async () => {
    const { server } = await startServer();
    const load = vi.spyOn(AlternatingLeastSquares, 'load');
    try {
      const reloaded = server.reload();
      await server.close();
      await reloaded;
      expect(load).toHaveBeenCalledTimes(1);
      const loadedModel = await (load.mock.results[0].value as Promise<AlternatingLeastSquares>);
      expect(server.handler.model).not.toBe(loadedModel);
      await expect(loadedModel.recommend('u1')).rejects.toThrow('the model was disposed');
    } finally {
      load.mockRestore();
    }
  });

  it('keeps serving when a reload fails', async () => {
    const path = join(folder, 'broken-reload.osm');
    await reference.save(path);
    const { server, url } = await startServer({}, path);
    writeFileSync(path, 'this is a text file, not a model file');
    await expect(server.reload()).rejects.toThrow('magic');
    expect((await fetch(`${url}/recommend?user=u1`)).status).toBe(200);
  });

  it('drains running requests on close', async () => {
    const { server, url } = await startServer();
    const gate = gateScoring(server.handler.model);
    const running = fetch(`${url}/recommend?user=u6`);
    await until(() => gate.calls() === 1);
    const closed = server.close();
    setTimeout(() => gate.open(), 50);
    expect((await running).status).toBe(200);
    await closed;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await expect(server.handler.model.recommend('u1')).rejects.toThrow('the model was disposed');
  });

  it('closes a stalled request after the drain timeout', async () => {
    const { server, url } = await startServer({ drainTimeoutMs: 200 });
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // The headers promise 100 bytes of body and only 10 arrive, so the request never completes.
    socket.write('POST /recommend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"items":[');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    await ended;
    await expect(server.handler.model.recommend('u1')).rejects.toThrow('the model was disposed');
  });
});
