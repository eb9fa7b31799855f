// NumPy .npz archives: a zip file with one NAME.npy member per array (np.savez stores them
// uncompressed, np.savez_compressed deflates them). yauzl reads, yazl writes.

import yauzl from 'yauzl';
import yazl from 'yazl';
import { InputError } from '../../errors.js';
import { nextZipEntry } from '../zip-entries.js';
import { writeAtomic, writeFully } from '../model-file/atomic-write.js';
import { encodeNpy, parseNpy, type NpyArray } from './npy.js';

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads every NAME.npy member of an .npz file into a map from NAME to its array. Members that are not
 * .npy files are skipped. Throws InputError (invalid_file) naming the file and the member that cannot
 * be read.
 */
export async function readNpz(path: string): Promise<Map<string, NpyArray>> {
  const arrays = new Map<string, NpyArray>();
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  } catch (error) {
    throw new InputError('invalid_file', `${path}: cannot read the .npz (zip) file: ${(error as Error).message}`, { where: path }, { cause: error });
  }
  try {
    for (let entry = await nextZipEntry(zip); entry !== undefined; entry = await nextZipEntry(zip)) {
      if (!entry.fileName.endsWith('.npy')) continue;
      const name = entry.fileName.slice(0, -'.npy'.length);
      // yauzl inflates deflated members and checks the byte count against the entry's header.
      const parsed = parseNpy(await readStream(await zip.openReadStreamPromise(entry)));
      if (typeof parsed === 'string') throw new InputError('invalid_file', `${path}: member ${entry.fileName}: ${parsed}`, { where: `${path} ${entry.fileName}` });
      arrays.set(name, parsed);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('invalid_file', `${path}: cannot read the .npz (zip) file: ${(error as Error).message}`, { where: path }, { cause: error });
  } finally {
    zip.close();
  }
  return arrays;
}

/** Writes `arrays` as an uncompressed .npz (what np.savez writes), atomically, members in the given order. */
export async function writeNpz(path: string, arrays: ReadonlyArray<readonly [string, NpyArray]>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, array] of arrays) zip.addBuffer(encodeNpy(array), `${name}.npy`, { compress: false });
  zip.end();
  await writeAtomic(path, async (handle) => {
    for await (const chunk of zip.outputStream) await writeFully(handle, chunk as Buffer);
  });
}
