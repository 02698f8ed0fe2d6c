import { createHash } from 'node:crypto';
import type { Body, ObjectRef, ObjectStore, PutOptions } from '../../lib/ports';
import { ObjectChangedError } from '../../lib/ports';

interface Version {
  ref: ObjectRef;
  data: Uint8Array;
  contentType?: string;
}

async function collect(body: Body): Promise<Uint8Array> {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

/**
 * An in-memory, versioned ObjectStore with S3's semantics (conditional create,
 * exact-version reads), for unit tests of the stages.
 */
export class MemoryStore implements ObjectStore {
  readonly versions = new Map<string, Version[]>();
  private counter = 0;
  private clock = Date.parse('2026-01-01T00:00:00Z');

  /** Writes as a user upload would (no conditions) and returns the new version. */
  async upload(key: string, body: Body): Promise<ObjectRef> {
    await this.put(key, body);
    const ref = await this.head(key);
    if (!ref) throw new Error('unreachable');
    return ref;
  }

  async head(key: string): Promise<ObjectRef | undefined> {
    const list = this.versions.get(key);
    return list?.at(-1)?.ref;
  }

  async *read(ref: ObjectRef): AsyncIterable<Uint8Array> {
    const list = this.versions.get(ref.key) ?? [];
    const version = ref.versionId
      ? list.find((v) => v.ref.versionId === ref.versionId)
      : list.at(-1)?.ref.etag === ref.etag
        ? list.at(-1)
        : undefined;
    if (!version) throw new ObjectChangedError(ref.key);
    yield version.data;
  }

  async getText(key: string): Promise<string | undefined> {
    const version = this.versions.get(key)?.at(-1);
    return version ? new TextDecoder().decode(version.data) : undefined;
  }

  /** Current content of `key`, or `undefined`. */
  text(key: string): string | undefined {
    const version = this.versions.get(key)?.at(-1);
    return version ? new TextDecoder().decode(version.data) : undefined;
  }

  async put(key: string, body: Body, options: PutOptions = {}): Promise<{ created: boolean }> {
    if (options.ifAbsent && this.versions.get(key)?.length) return { created: false };
    const data = await collect(body);
    if (options.ifAbsent && this.versions.get(key)?.length) return { created: false };
    if (options.ifMatch !== undefined) {
      const current = this.versions.get(key)?.at(-1)?.ref.etag;
      const bare = (etag: string) => etag.replace(/"/g, '');
      if (current === undefined || bare(current) !== bare(options.ifMatch)) return { created: false };
    }
    this.counter += 1;
    this.clock += 1000;
    const ref: ObjectRef = {
      key,
      versionId: `v${this.counter}`,
      etag: `"${createHash('md5').update(data).digest('hex')}"`,
      size: data.byteLength,
      lastModified: new Date(this.clock),
    };
    const list = this.versions.get(key) ?? [];
    const version: Version = { ref, data };
    if (options.contentType !== undefined) version.contentType = options.contentType;
    list.push(version);
    this.versions.set(key, list);
    return { created: true };
  }

  async delete(key: string): Promise<void> {
    this.versions.delete(key);
  }

  async *list(prefix: string): AsyncIterable<ObjectRef> {
    const matching = [...this.versions.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (const key of matching) {
      const ref = this.versions.get(key)?.at(-1)?.ref;
      if (ref) yield ref;
    }
  }

  /** Every current key, sorted: what a user listing the bucket sees. */
  keys(): string[] {
    return [...this.versions.keys()].sort();
  }
}
