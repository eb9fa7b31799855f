// `osusume fit`, `recommend`, `similar` and the implicit conversions, run through commander in-process.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AlternatingLeastSquares } from '../../src/als/index.js';
import { registerModelCommands } from '../../src/cli/model-commands.js';
import { InputError } from '../../src/errors.js';

const folder = mkdtempSync(join(tmpdir(), 'osusume-cli-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const data = join(import.meta.dirname, '..', '..', 'datasets', 'samples', 'movielens-100k-u.data');

/** Runs one command line and returns what it printed on stdout. */
async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerModelCommands(program);
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'osusume', ...args]);
  } finally {
    write.mockRestore();
  }
  return chunks.join('');
}

describe('model commands', () => {
  const modelPath = join(folder, 'model.osm');

  it('fits, saves and answers queries by external id', async () => {
    const fitted = await run('fit', '--data', data, '--out', modelPath, '--factors', '4', '--iterations', '2', '--seed', '3', '--device', 'cpu', '--threads', '1', '--no-progress');
    expect(fitted).toMatch(/^fitted \d+ users x \d+ items \(\d+ interactions\) in [\d.]+ s on cpu: 1 worker thread; wrote .*model\.osm \([\d.]+ MiB\)\n$/);

    const model = await AlternatingLeastSquares.load(modelPath, { device: 'cpu', threads: 1 });
    const user = model.userIds.idAt(0);
    const item = model.itemIds.idAt(0);
    const expected = await model.recommend(user, { n: 3 });
    const similar = await model.similarItems(item, { n: 2 });
    await model.dispose();

    const json = JSON.parse(await run('recommend', '--model', modelPath, '--user', user, '--n', '3', '--json', '--device', 'cpu', '--threads', '1'));
    expect(json.user).toBe(user);
    expect(json.items.map((entry: { itemId: string }) => entry.itemId)).toEqual(expected.map((entry) => entry.itemId));

    const table = await run('similar', '--model', modelPath, '--item', item, '--n', '2', '--device', 'cpu', '--threads', '1');
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^rank {2}item +score$/);
    expect(lines[1].trim().split(/\s+/)).toEqual(['1', similar[0].itemId, similar[0].score.toFixed(6)]);
    expect(lines).toHaveLength(3);
  });

  it('converts to implicit and back', async () => {
    const npz = join(folder, 'model.npz');
    const back = join(folder, 'back.osm');
    expect(await run('export-implicit', '--from', modelPath, '--out', npz, '--threads', '1')).toBe(`wrote ${npz}\n`);
    expect(await run('import-implicit', '--from', npz, '--out', back, '--threads', '1')).toMatch(/^wrote .*back\.osm: \d+ users x \d+ items, 4 factors\n$/);
  });

  it('rejects invalid flags naming the flag', async () => {
    await expect(run('recommend', '--model', modelPath, '--user', '1', '--n', 'ten')).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InputError: invalid recommend flags: --n is "ten": expected an integer from 1 to 100000]`,
    );
    await expect(run('recommend', '--model', join(folder, 'none.osm'), '--user', '1', '--device', 'cpu')).rejects.toBeInstanceOf(InputError);
  });
});
