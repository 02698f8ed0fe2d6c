import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type S3rver from 's3rver';

type S3rverStore = S3rver['store'];

/**
 * Where an object's version id is kept in s3rver's metadata file. s3rver only
 * keeps user metadata (`x-amz-meta-*`) besides a few standard headers, so the
 * id is stored under this name and answered as `x-amz-version-id`.
 */
export const VERSION_METADATA = 'x-amz-meta-sagedrop-version-id';

let lastSequence = 0n;

/**
 * A new object version: its id and the sequencer S3 puts in the event. Both
 * grow with each write (microseconds since 1970, then a counter when the clock
 * has not moved), so they sort like S3's sequencers for one key; the id ends in
 * random hex so that two servers sharing a directory never hand out the same one.
 */
export function newObjectVersion(): { versionId: string; sequencer: string } {
  const now = BigInt(Date.now()) * 1000n;
  lastSequence = now > lastSequence ? now : lastSequence + 1n;
  const sequencer = lastSequence.toString(16).toUpperCase().padStart(16, '0');
  return { versionId: `${sequencer}.${randomBytes(6).toString('hex')}`, sequencer };
}

/** The version id stored with `key`, or `undefined` for an object written before versions were kept. */
export async function storedVersionId(
  store: S3rverStore,
  bucket: string,
  key: string,
): Promise<string | undefined> {
  const text = await readFile(store.getResourcePath(bucket, key, 'metadata.json'), 'utf8').catch(
    () => undefined,
  );
  if (text === undefined) return undefined;
  const metadata = JSON.parse(text) as Record<string, unknown>;
  const id = metadata[VERSION_METADATA];
  return typeof id === 'string' ? id : undefined;
}

/** Called with each new version as it is stored, in the async context of the request that wrote it. */
export type OnVersionStored = (key: string, version: { versionId: string; sequencer: string }) => void;

/**
 * Makes s3rver write each object as S3 does: a new body replaces the old one
 * whole (written aside, then renamed over it), never rewriting the old file in
 * place, so a reader never sees half an object and a hard link to the old file
 * (the `--dir` view of `sagedrop local`) keeps the old bytes. Object files are
 * read-only: edited in place, they would no longer match their stored MD5.
 * Each write also gets a new version id (s3rver has no versioning), so that an
 * identical re-upload is a new upload, as it is in a versioned S3 bucket.
 */
export function replaceObjectsWhole(store: S3rverStore, onStored: OnVersionStored = () => {}): void {
  store.putObject = async (object) => {
    const file = store.getResourcePath(object.bucket, object.key, 'object');
    // Listings only see names ending in ._S3rver_object: the partial file is invisible.
    const partial = `${file}.${randomUUID()}.partial`;
    await mkdir(dirname(file), { recursive: true });
    const hash = createHash('md5');
    let size = 0;
    const body = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(
        body,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            size += chunk.length;
            callback(null, chunk);
          },
        }),
        createWriteStream(partial, { mode: 0o444 }),
      );
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    const md5 = hash.digest('hex');
    // Every write is a new version, even of identical bytes: S3 versioning gives it a new id too.
    const version = newObjectVersion();
    await store.putMetadata(
      object.bucket,
      object.key,
      { ...object.metadata, [VERSION_METADATA]: version.versionId },
      md5,
    );
    onStored(object.key, version);
    return { size, md5 };
  };
  const copyObject = store.copyObject.bind(store);
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const source = store.getResourcePath(srcBucket, srcKey, 'object');
    const target = store.getResourcePath(destBucket, destKey, 'object');
    // s3rver copies onto the old file, which is read-only: remove it first.
    if (source !== target) await unlink(target).catch(() => undefined);
    const copied = await copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
    // The copy is a new version of the target: it must not keep the source's id.
    const metadataFile = store.getResourcePath(destBucket, destKey, 'metadata.json');
    const metadata = JSON.parse(await readFile(metadataFile, 'utf8')) as Record<string, unknown>;
    const version = newObjectVersion();
    await writeFile(
      metadataFile,
      JSON.stringify({ ...metadata, [VERSION_METADATA]: version.versionId }, null, 2),
    );
    onStored(destKey, version);
    return copied;
  };
}
