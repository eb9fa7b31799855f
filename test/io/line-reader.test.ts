import { describe, expect, it } from 'vitest';
import { forEachLine } from '../../src/io/line-reader.js';
import { writeTemp } from './temp-file.js';

async function readLines(content: string | Uint8Array, chunkBytes: number): Promise<{ lines: string[]; numbers: number[]; count: number }> {
  const path = writeTemp(`lines-${chunkBytes}-${Math.random().toString(36).slice(2)}.txt`, content);
  const lines: string[] = [];
  const numbers: number[] = [];
  const count = await forEachLine(
    path,
    {
      visitLine(bytes, start, end, lineNumber) {
        lines.push(bytes.toString('utf8', start, end));
        numbers.push(lineNumber);
      },
    },
    chunkBytes,
  );
  return { lines, numbers, count };
}

describe('forEachLine', () => {
  it.each([1, 2, 3, 4, 7, 64, 1 << 20])('splits LF, CRLF and a final line without newline (chunk %i bytes)', async (chunkBytes) => {
    const { lines, numbers, count } = await readLines('alpha\r\nbeta\n\r\n\ngamma delta\r\nz', chunkBytes);
    expect(lines).toEqual(['alpha', 'beta', '', '', 'gamma delta', 'z']);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6]);
    expect(count).toBe(6);
  });

  it.each([1, 2, 5, 1024])('strips a UTF-8 byte order mark at the start only (chunk %i bytes)', async (chunkBytes) => {
    const bom = '\ufeff';
    const { lines } = await readLines(`${bom}first\n${bom}second\n`, chunkBytes);
    expect(lines).toEqual(['first', `${bom}second`]);
  });

  it('does not count an empty remainder after the last newline as a line', async () => {
    expect((await readLines('a\nb\n', 3)).count).toBe(2);
    expect((await readLines('\n', 3)).lines).toEqual(['']);
  });

  it('reads an empty file as no lines', async () => {
    expect((await readLines('', 16)).count).toBe(0);
    expect((await readLines('\ufeff', 16)).count).toBe(0);
  });

  it('keeps multi-byte characters split across reads intact', async () => {
    const { lines } = await readLines('ünïcödé\n架空のバンド\n', 2);
    expect(lines).toEqual(['ünïcödé', '架空のバンド']);
  });

  it('reads lines much longer than one chunk', async () => {
    const long = 'x'.repeat(10_000);
    const { lines } = await readLines(`${long}\nshort\n${long}y`, 16);
    expect(lines).toEqual([long, 'short', `${long}y`]);
  });

  it('reports a missing file as invalid_file', async () => {
    await expect(forEachLine('/nonexistent/osusume/ratings.csv', { visitLine() {} })).rejects.toThrow(
      '/nonexistent/osusume/ratings.csv: file not found; expected a readable data file',
    );
  });

  it('propagates an error thrown by the visitor', async () => {
    const path = writeTemp('visitor-error.txt', 'a\nb\nc\n');
    const visitor = {
      visitLine(_bytes: Buffer, _start: number, _end: number, lineNumber: number) {
        if (lineNumber === 2) throw new Error('stop at 2');
      },
    };
    await expect(forEachLine(path, visitor, 1)).rejects.toThrow('stop at 2');
  });
});
