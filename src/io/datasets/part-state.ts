// The sidecar `.part.json` of a partial download: which URL the bytes came from and the validators
// that let a resumed request detect a changed file on the server.

import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { z } from 'zod';

const partStateSchema = z.object({
  url: z.string(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  totalBytes: z.number().int().nonnegative().optional(),
  bytes: z.number().int().nonnegative(),
});

/** A partial download; `bytes` is the length of the `.part` file when it was read. */
export type PartState = z.infer<typeof partStateSchema>;

/**
 * Returns the state of `partPath` when the part file and its sidecar exist, the sidecar parses and
 * names `url`. Otherwise removes whatever is there, because bytes of unknown origin cannot be resumed,
 * and returns undefined.
 */
export async function readPartState(partPath: string, url: string): Promise<PartState | undefined> {
  const bytes = await stat(partPath).then((info) => info.size, () => undefined);
  if (bytes === undefined || bytes === 0) {
    await discard(partPath);
    return undefined;
  }
  let state: PartState | undefined;
  try {
    const parsed = partStateSchema.safeParse(JSON.parse(await readFile(`${partPath}.json`, 'utf8')));
    if (parsed.success && parsed.data.url === url) state = { ...parsed.data, bytes };
  } catch {
    state = undefined;
  }
  if (state === undefined || (state.totalBytes !== undefined && bytes > state.totalBytes)) {
    await discard(partPath);
    return undefined;
  }
  return state;
}

/** Writes the sidecar of `partPath`. */
export async function writePartState(partPath: string, state: PartState): Promise<void> {
  await writeFile(`${partPath}.json`, `${JSON.stringify(state)}\n`);
}

async function discard(partPath: string): Promise<void> {
  await rm(partPath, { force: true });
  await rm(`${partPath}.json`, { force: true });
}
