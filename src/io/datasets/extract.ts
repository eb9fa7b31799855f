// Extracts one member file from a .zip (yauzl) or .tar.gz (tar) archive.

import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import yauzl from 'yauzl';
import { InputError } from '../../errors.js';
import { nextZipEntry } from '../zip-entries.js';

/** Archive kinds that can be read, chosen from the archive's file name. */
export type ArchiveKind = 'zip' | 'tar.gz';

/** Returns the archive kind of a file or URL name, or undefined for other names. */
export function archiveKindOf(name: string): ArchiveKind | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  return undefined;
}

/**
 * Extracts `member` (a path inside the archive, for example "ml-100k/u.data") from `archivePath` into
 * `outputDir` under the member's base name, and returns that path. Throws InputError
 * `invalid_archive` when the archive cannot be read or has no such member. The message then lists
 * the members with the same base name, if any.
 */
export async function extractMember(archivePath: string, kind: ArchiveKind, member: string, outputDir: string): Promise<string> {
  const outputPath = join(outputDir, basename(member));
  const seen: string[] = [];
  let found: boolean;
  try {
    found = kind === 'zip' ? await extractFromZip(archivePath, member, outputPath, seen) : await extractFromTarGz(archivePath, member, outputDir, outputPath, seen);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('invalid_archive', `${archivePath}: cannot read the ${kind} archive: ${(error as Error).message}`, { where: archivePath }, { cause: error });
  }
  if (!found) {
    const similar = seen.filter((name) => basename(name) === basename(member)).slice(0, 5);
    const hint = similar.length > 0 ? `; members with the same name: ${similar.join(', ')}` : ` among its ${seen.length} members`;
    throw new InputError('invalid_archive', `${archivePath}: the archive has no member ${member}${hint}`, { where: archivePath, expected: member });
  }
  return outputPath;
}

/** Strips a leading "./" so "./ml-100k/u.data" and "ml-100k/u.data" compare equal. */
function normalizeMember(name: string): string {
  return name.replace(/^(\.\/)+/, '');
}

async function extractFromZip(archivePath: string, member: string, outputPath: string, seen: string[]): Promise<boolean> {
  const zip = await yauzl.openPromise(archivePath, { lazyEntries: true, autoClose: false });
  try {
    for (;;) {
      const entry = await nextZipEntry(zip);
      if (entry === undefined) return false;
      const name = normalizeMember(entry.fileName);
      seen.push(name);
      if (name === normalizeMember(member) && !name.endsWith('/')) {
        // yauzl checks that the bytes read match the sizes in the entry's header.
        await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(outputPath));
        return true;
      }
    }
  } finally {
    zip.close();
  }
}

async function extractFromTarGz(archivePath: string, member: string, outputDir: string, outputPath: string, seen: string[]): Promise<boolean> {
  const memberPath = normalizeMember(member);
  let matched = false;
  // `strip` drops the member's folders, so the file lands at outputDir/basename(member).
  await tar.x({
    file: archivePath,
    cwd: outputDir,
    strict: true,
    strip: memberPath.split('/').length - 1,
    filter: (path, entry) => {
      const name = normalizeMember(path);
      seen.push(name);
      const isMember = name === memberPath && 'type' in entry && (entry.type === 'File' || entry.type === 'OldFile');
      matched ||= isMember;
      return isMember;
    },
  });
  if (!matched) return false;
  await stat(outputPath);
  return true;
}
