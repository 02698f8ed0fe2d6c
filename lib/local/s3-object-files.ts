import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type S3rver from 's3rver';

type S3rverStore = S3rver['store'];

/**
 * Makes s3rver write each object as S3 does: a new body replaces the old one
 * whole (written aside, then renamed over it), never rewriting the old file in
 * place, so a reader never sees half an object and a hard link to the old file
 * (the `--dir` view of `sagedrop local`) keeps the old bytes. Object files are
 * read-only: edited in place, they would no longer match their stored MD5.
 */
export function replaceObjectsWhole(store: S3rverStore): void {
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
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size, md5 };
  };
  const copyObject = store.copyObject.bind(store);
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const source = store.getResourcePath(srcBucket, srcKey, 'object');
    const target = store.getResourcePath(destBucket, destKey, 'object');
    // s3rver copies onto the old file, which is read-only: remove it first.
    if (source !== target) await unlink(target).catch(() => undefined);
    return copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
  };
}
