// Checks a downloaded file against the size and checksum that a catalogue entry lists.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../../errors.js';

/** Expected size and digests of a file. A value of 'unverified' or undefined is skipped. */
export interface ExpectedFile {
  bytes?: number | 'unverified';
  sha256?: string | 'unverified';
  md5?: string | 'unverified';
  /** Origin of the expected values, quoted in a mismatch message. */
  source?: string;
}

/** The strongest check that ran: a digest, the size alone, or nothing when no value was known. */
export type VerificationMethod = 'sha256' | 'md5' | 'size' | 'none';

export interface Verification {
  method: VerificationMethod;
  bytes: number;
  /** Hex digest computed for `method` sha256 or md5. */
  digest?: string;
}

/**
 * Checks the size of `path` when `expected.bytes` is known, then its SHA-256 when known, else its
 * MD5 when known. Throws InputError `checksum_mismatch` naming the file, the expected and the computed
 * value. `onProgress` receives bytes hashed so far.
 */
export async function verifyFile(path: string, expected: ExpectedFile, onProgress?: (bytesDone: number, bytesTotal: number) => void): Promise<Verification> {
  const bytes = (await stat(path)).size;
  const mismatch = (quantity: string, expectedValue: string, got: string) =>
    new InputError(
      'checksum_mismatch',
      `${path}: ${quantity} is ${got} but ${expectedValue} was expected${expected.source === undefined ? '' : ` (expected values: ${expected.source})`}`,
      { where: path, expected: expectedValue, received: got },
    );

  const knownBytes = typeof expected.bytes === 'number' ? expected.bytes : undefined;
  if (knownBytes !== undefined && bytes !== knownBytes) throw mismatch('the size', `${knownBytes} bytes`, `${bytes} bytes`);

  const algorithm = isKnown(expected.sha256) ? 'sha256' : isKnown(expected.md5) ? 'md5' : undefined;
  if (algorithm === undefined) return { method: knownBytes === undefined ? 'none' : 'size', bytes };

  const expectedDigest = (algorithm === 'sha256' ? expected.sha256 : expected.md5) as string;
  const digest = await hashFile(path, algorithm, (done) => onProgress?.(done, bytes));
  if (digest !== expectedDigest.toLowerCase()) throw mismatch(`the ${algorithm === 'sha256' ? 'SHA-256' : 'MD5'}`, expectedDigest.toLowerCase(), digest);
  return { method: algorithm, bytes, digest };
}

function isKnown(value: string | undefined): value is string {
  return value !== undefined && value !== 'unverified';
}

/** Returns the hex digest of `path`, read as a stream. */
export async function hashFile(path: string, algorithm: 'sha256' | 'md5', onProgress?: (bytesDone: number) => void): Promise<string> {
  const hash = createHash(algorithm);
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onProgress?.(done);
  }
  return hash.digest('hex');
}
