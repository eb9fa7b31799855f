// `osusume serve` flag validation, run through commander in-process: each bad flag is named with its range.

import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerServeCommand } from '../../src/cli/serve-command.js';

async function serveError(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerServeCommand(program);
  const error = await program.parseAsync(['node', 'osusume', 'serve', '--model', 'unused.osm', ...args]).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return (error as Error).message;
}

describe('serve flags', () => {
  it.each([
    [['--max-queue', '0'], '--max-queue is "0": expected an integer from 1 to 1000000'],
    [['--max-batch', '0'], '--max-batch is "0": expected an integer from 1 to 65536'],
    [['--threads', '0'], '--threads is "0": expected an integer from 1 to 256'],
    [['--port', '99999'], '--port is "99999": expected an integer from 0 to 65535'],
    [['--batch-window-ms', '-1'], '--batch-window-ms is "-1": expected a number at least 0 and at most 1000'],
    [['--port', ''], '--port is "": expected an integer from 0 to 65535'],
    [['--max-batch', '0x10'], '--max-batch is "0x10": expected an integer from 1 to 65536'],
    [['--max-queue', ' '], '--max-queue is " ": expected an integer from 1 to 1000000'],
    [['--host', ''], '--host is "": expected a host name or address'],
  ])('rejects %j', async (args, message) => {
    expect(await serveError(...args)).toBe(`invalid serve flags: ${message}`);
  });
});
