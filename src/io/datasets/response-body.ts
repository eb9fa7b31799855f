// Streams an HTTP response body into a file and parses Content-Range headers.

import { open } from 'node:fs/promises';

/**
 * Appends the body of `response` to `path` starting at byte `startByte` (the file is cut to that
 * length first) and returns the file length afterwards. `onBytes` receives the running length after
 * each chunk. Bytes received before a failure stay in the file.
 */
export async function copyBodyToFile(response: Response, path: string, startByte: number, onBytes: (bytesDone: number) => void): Promise<number> {
  const handle = await open(path, startByte === 0 ? 'w' : 'r+');
  let position = startByte;
  try {
    await handle.truncate(startByte);
    if (response.body === null) return position;
    for await (const chunk of response.body) {
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done, position + done);
        done += bytesWritten;
      }
      position += chunk.byteLength;
      onBytes(position);
    }
    return position;
  } finally {
    await handle.close();
  }
}

/** A parsed `Content-Range: bytes start-end/total` (total undefined for `*`), or `bytes *\/total`. */
export interface ContentRange {
  start: number | undefined;
  end: number | undefined;
  total: number | undefined;
}

/** Parses a Content-Range header; returns undefined when it is missing or malformed. */
export function parseContentRange(header: string | null): ContentRange | undefined {
  if (header === null) return undefined;
  const match = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(header.trim());
  if (match === null) return undefined;
  const number = (text: string | undefined) => (text === undefined || text === '*' ? undefined : Number(text));
  return { start: number(match[1]), end: number(match[2]), total: number(match[3]) };
}
