// HTTP(S) download to a `.part` file that survives interruptions. A later call resumes with a Range
// request when the server supports it (HTTP 206), and starts over when the server replies 200 instead.

import { rename, rm, stat } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { readPartState, type PartState, writePartState } from './part-state.js';
import { copyBodyToFile, parseContentRange } from './response-body.js';

/** Bytes received so far and the total when the server announced it. */
export interface DownloadProgress {
  bytesDone: number;
  bytesTotal: number | undefined;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Attempts after the first when the connection fails or the server replies with a 5xx status. Default 3. */
  retries?: number;
  /** Wait before the first retry in milliseconds, doubled for each further one. Default 1000. */
  retryDelayMs?: number;
}

/** Outcome of a download: the file's path and length, and whether it resumed or started over. */
export interface DownloadResult {
  path: string;
  bytes: number;
  /** Byte offset the transfer resumed from on the last attempt; 0 when it started at the beginning. */
  resumedFromByte: number;
  /** True when a partial file existed but the server ignored the Range request, so it started over. */
  restarted: boolean;
  /** Attempts made, 1 when the first one succeeded. */
  attempts: number;
}

/** Raised for failures worth retrying: a dropped connection or a 5xx status. */
class TransientDownloadError extends InputError {}

/**
 * Downloads `url` to `destination`. Bytes go to `destination.part` first, with the response's
 * validators (ETag, Last-Modified) and length in `destination.part.json`; the file is renamed to
 * `destination` once complete. An existing partial file is resumed with `Range: bytes=N-` and
 * `If-Range`, so a server whose file changed replies 200 and the download starts over.
 * Throws InputError `download_failed` after the last attempt; the partial file is kept for the next
 * call. An aborted `signal` rejects with the signal's reason and also keeps it.
 *
 * NOTE: nothing locks the `.part` file, so two processes downloading to the same destination at once
 * can interleave their bytes. The checksum check after the download catches that, when one is known.
 *
 * @example
 * await downloadFile('https://example.org/ml-100k.zip', '/tmp/ml-100k.zip', { onProgress: console.log });
 */
export async function downloadFile(url: string, destination: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 1000;

  for (let attempt = 1; ; attempt++) {
    try {
      const result = await downloadOnce(url, destination, options);
      return { ...result, path: destination, attempts: attempt };
    } catch (error) {
      if (!(error instanceof TransientDownloadError) || attempt > retries || options.signal?.aborted === true) throw error;
      await delay(retryDelayMs * 2 ** (attempt - 1), options.signal);
    }
  }
}

async function downloadOnce(url: string, destination: string, options: DownloadOptions): Promise<Omit<DownloadResult, 'path' | 'attempts'>> {
  const partPath = `${destination}.part`;
  const state = await readPartState(partPath, url);
  const response = await request(url, state, options.signal);

  let resumedFromByte = 0;
  let restarted = false;
  let total: number | undefined;
  if (response.status === 416 && state !== undefined) {
    // The Range starts at or past the end: either the part is already complete or the file shrank.
    await response.body?.cancel();
    const range = parseContentRange(response.headers.get('content-range'));
    if (range?.total === state.bytes) return finish(partPath, destination, state.bytes, state.bytes, false);
    await discardPart(partPath);
    return downloadOnce(url, destination, options);
  }
  if (response.status === 206 && state !== undefined) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (range === undefined || range.start !== state.bytes) {
      // A range other than the one requested cannot be appended; start over without Range.
      await response.body?.cancel();
      await discardPart(partPath);
      return downloadOnce(url, destination, options);
    }
    resumedFromByte = state.bytes;
    total = range.total ?? state.totalBytes;
  } else if (response.ok && response.status !== 206) {
    restarted = state !== undefined;
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    total = Number.isSafeInteger(length) && response.headers.get('content-encoding') === null ? length : undefined;
  } else {
    await response.body?.cancel();
    const problem = `the server answered HTTP ${response.status} ${response.statusText}`.trimEnd();
    const ErrorClass = response.status >= 500 ? TransientDownloadError : InputError;
    throw new ErrorClass('download_failed', `downloading ${url} failed: ${problem}`, { where: url, received: String(response.status) });
  }

  const newState: PartState = {
    url,
    etag: response.headers.get('etag') ?? state?.etag,
    lastModified: response.headers.get('last-modified') ?? state?.lastModified,
    totalBytes: total,
    bytes: resumedFromByte,
  };
  await writePartState(partPath, newState);
  const written = await receiveBody(url, response, partPath, resumedFromByte, total, options);
  if (total !== undefined && written !== total) {
    throw new TransientDownloadError('download_failed', `downloading ${url} stopped at ${written} of ${total} bytes; run the fetch again to resume`, { where: url, received: String(written), expected: String(total) });
  }
  return finish(partPath, destination, written, resumedFromByte, restarted);
}

async function request(url: string, state: PartState | undefined, signal: AbortSignal | undefined): Promise<Response> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (state !== undefined && state.bytes > 0) {
    headers.range = `bytes=${state.bytes}-`;
    // If-Range accepts a strong ETag or a date; a weak ETag (W/"...") is not allowed there.
    const validator = state.etag !== undefined && !state.etag.startsWith('W/') ? state.etag : state.lastModified;
    if (validator !== undefined) headers['if-range'] = validator;
  }
  try {
    return await fetch(url, { headers, signal, redirect: 'follow' });
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw new TransientDownloadError('download_failed', `downloading ${url} failed: ${describeCause(error)}`, { where: url }, { cause: error });
  }
}

async function receiveBody(url: string, response: Response, partPath: string, startByte: number, total: number | undefined, options: DownloadOptions): Promise<number> {
  const report = (bytesDone: number) => options.onProgress?.({ bytesDone, bytesTotal: total });
  report(startByte);
  try {
    return await copyBodyToFile(response, partPath, startByte, report);
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    if (error instanceof InputError) throw error;
    const bytes = await stat(partPath).then((info) => info.size, () => 0);
    throw new TransientDownloadError(
      'download_failed',
      `downloading ${url} failed after ${bytes}${total === undefined ? '' : ` of ${total}`} bytes: ${describeCause(error)}; run the fetch again to resume`,
      { where: url, received: String(bytes) },
      { cause: error },
    );
  }
}

async function finish(partPath: string, destination: string, bytes: number, resumedFromByte: number, restarted: boolean): Promise<Omit<DownloadResult, 'path' | 'attempts'>> {
  await rename(partPath, destination);
  await rm(`${partPath}.json`, { force: true });
  return { bytes, resumedFromByte, restarted };
}

async function discardPart(partPath: string): Promise<void> {
  await rm(partPath, { force: true });
  await rm(`${partPath}.json`, { force: true });
}

/** Names the lowest cause of a fetch failure, for example "other side closed" for a dropped socket. */
function describeCause(error: unknown): string {
  let current: unknown = error;
  let message = String(error);
  while (current instanceof Error) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
