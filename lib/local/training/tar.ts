import { gunzipSync, gzipSync } from 'node:zlib';

/** One regular file of a tar archive. */
export interface TarEntry {
  name: string;
  data: Uint8Array;
  /** Seconds since the epoch; defaults to 0 so archives are reproducible. */
  mtime?: number;
}

const BLOCK = 512;

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

function headerFor(entry: TarEntry): Buffer {
  const name = Buffer.from(entry.name, 'utf8');
  if (name.length > 100) throw new RangeError(`tar entry name longer than 100 bytes: ${entry.name}`);
  const header = Buffer.alloc(BLOCK);
  name.copy(header, 0);
  writeOctal(header, 100, 8, 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, entry.data.byteLength);
  writeOctal(header, 136, 12, Math.floor(entry.mtime ?? 0));
  header.fill(0x20, 148, 156);
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write('root', 265, 'ascii');
  header.write('root', 297, 'ascii');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return header;
}

/** A POSIX ustar archive of regular files, uncompressed. */
export function createTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(headerFor(entry), Buffer.from(entry.data));
    const padding = (BLOCK - (entry.data.byteLength % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** A `.tar.gz` as SageMaker writes `model.tar.gz`. */
export function createTarGz(entries: TarEntry[]): Buffer {
  return gzipSync(createTar(entries));
}

/** The regular files of a ustar archive (what `createTar` writes, and what `tar` writes for short names). */
export function readTar(archive: Uint8Array): TarEntry[] {
  const buffer = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + BLOCK <= buffer.length) {
    const header = buffer.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const text = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = Number.parseInt(text(124, 12).trim() || '0', 8);
    const prefix = text(345, 155);
    const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
    const type = text(156, 1) || '0';
    offset += BLOCK;
    if (type === '0') {
      entries.push({
        name,
        data: Uint8Array.from(buffer.subarray(offset, offset + size)),
        mtime: Number.parseInt(text(136, 12).trim() || '0', 8),
      });
    }
    offset += Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}

/** The regular files of a `.tar.gz`. */
export function readTarGz(archive: Uint8Array): TarEntry[] {
  return readTar(gunzipSync(archive));
}
