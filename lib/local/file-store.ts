import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  type Body,
  ObjectChangedError,
  type ObjectRef,
  type ObjectStore,
  type PutOptions,
  sameEtag,
} from '../ports';

export interface FileStoreOptions {
  /** Where objects are written, one file per key (`<root>/<key>`). */
  root: string;
  /** Keys served read-only from files elsewhere (the user's inputs). */
  mounts?: Record<string, string>;
  /** Keys kept in memory only: bookkeeping that has no place in the output folder. */
  volatile?: (key: string) => boolean;
}

interface MemoryObject {
  ref: ObjectRef;
  data: Buffer;
}

/** The size of the chunks files are read and written in. */
export const CHUNK = 1024 * 1024;

/**
 * A file in chunks, the next one read while the caller works on the current
 * one, into two buffers used in turn: for callers that never touch a chunk
 * after asking for the next, so no memory is taken per chunk.
 */
export async function* readBorrowed(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  const buffers = [Buffer.allocUnsafeSlow(CHUNK), Buffer.allocUnsafeSlow(CHUNK)];
  let turn = 0;
  let reading = handle.read(buffers[0] as Buffer, 0, CHUNK, null);
  try {
    for (;;) {
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) return;
      turn ^= 1;
      reading = handle.read(buffers[turn] as Buffer, 0, CHUNK, null);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await reading.catch(() => undefined);
    await handle.close();
  }
}

/** Writes a stream body chunk by chunk, each written before the next is asked for. */
async function writeChunks(path: string, body: AsyncIterable<Uint8Array>): Promise<void> {
  const handle = await open(path, 'w');
  try {
    for await (const chunk of body) {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
    }
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

async function toBuffer(body: Body): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

/** Size and modification time stand in for an ETag: cheap, and they change when the file does. */
function fileEtag(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.round(mtimeMs * 1000).toString(16)}"`;
}

/**
 * An ObjectStore over a local folder, so that the `sagedrop merge` command runs
 * the merge stage itself on local files: inputs are mounted at their raw keys,
 * outputs land under `root` with the bucket's layout.
 */
export function createFileStore(options: FileStoreOptions): ObjectStore {
  const memory = new Map<string, MemoryObject>();
  const mounts = options.mounts ?? {};
  const volatile = options.volatile ?? (() => false);
  let writes = 0;
  const pathOf = (key: string) => mounts[key] ?? join(options.root, ...key.split('/'));

  async function head(key: string): Promise<ObjectRef | undefined> {
    if (volatile(key)) return memory.get(key)?.ref;
    try {
      const info = await stat(pathOf(key));
      if (!info.isFile()) return undefined;
      return { key, etag: fileEtag(info.size, info.mtimeMs), size: info.size, lastModified: info.mtime };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function write(key: string, body: Body, exclusive: boolean): Promise<boolean> {
    if (key in mounts) throw new Error(`${key} is an input and is never written`);
    if (volatile(key)) {
      if (exclusive && memory.has(key)) return false;
      const data = await toBuffer(body);
      writes += 1;
      memory.set(key, {
        data,
        ref: { key, etag: `"m${writes}"`, size: data.length, lastModified: new Date() },
      });
      return true;
    }
    const path = pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    if (exclusive) {
      try {
        const handle = await open(path, 'wx');
        try {
          await handle.writeFile(await toBuffer(body));
        } finally {
          await handle.close();
        }
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    }
    // Written beside and renamed, so a reader never sees half a file.
    writes += 1;
    const temporary = `${path}.partial-${process.pid}-${writes}`;
    try {
      if (typeof body === 'string' || body instanceof Uint8Array) await writeFile(temporary, body);
      else await writeChunks(temporary, body);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    return true;
  }

  return {
    head,

    putReleasesChunks: true,

    async *read(ref, readOptions = {}) {
      if (volatile(ref.key)) {
        const object = memory.get(ref.key);
        if (!object || !sameEtag(object.ref.etag, ref.etag)) throw new ObjectChangedError(ref.key);
        yield object.data;
        return;
      }
      const before = await head(ref.key);
      if (!before || !sameEtag(before.etag, ref.etag)) throw new ObjectChangedError(ref.key);
      try {
        const path = pathOf(ref.key);
        const { firstBytes } = readOptions;
        if (firstBytes !== undefined && firstBytes > 0 && ref.size > firstBytes) {
          yield* createReadStream(path, { start: 0, end: firstBytes - 1, highWaterMark: firstBytes });
        } else if (readOptions.borrowChunks) yield* readBorrowed(path);
        else yield* createReadStream(path, { highWaterMark: CHUNK });
      } catch (error) {
        if (isNotFound(error)) throw new ObjectChangedError(ref.key, { cause: error });
        throw error;
      }
      const after = await head(ref.key);
      if (!after || !sameEtag(after.etag, ref.etag)) throw new ObjectChangedError(ref.key);
    },

    async getText(key) {
      if (volatile(key)) return memory.get(key)?.data.toString('utf8');
      try {
        return await readFile(pathOf(key), 'utf8');
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async put(key, body, putOptions: PutOptions = {}) {
      if (putOptions.ifMatch !== undefined) {
        const current = await head(key);
        if (!current || !sameEtag(current.etag, putOptions.ifMatch)) return { created: false };
      }
      return { created: await write(key, body, putOptions.ifAbsent === true) };
    },

    async delete(key) {
      if (volatile(key)) memory.delete(key);
      else await rm(pathOf(key), { force: true });
    },

    async *list(prefix) {
      const found: string[] = [...memory.keys()].filter((k) => k.startsWith(prefix));
      const walk = async (dir: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) await walk(path);
          else if (!entry.name.includes('.partial-'))
            found.push(relative(options.root, path).split(sep).join('/'));
        }
      };
      await walk(options.root);
      for (const key of Object.keys(mounts)) found.push(key);
      for (const key of [...new Set(found)].filter((k) => k.startsWith(prefix)).sort()) {
        const ref = await head(key);
        if (ref) yield ref;
      }
    },
  };
}
