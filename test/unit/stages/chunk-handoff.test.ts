import { describe, expect, it } from 'vitest';
import { ChunkHandoff } from '../../../lib/stages/chunk-handoff';

function written(handoff: ChunkHandoff, text: string): { chunk: Uint8Array; released: () => boolean } {
  const chunk = Buffer.from(text);
  let released = false;
  handoff.write(chunk, () => {
    released = true;
  });
  return { chunk, released: () => released };
}

describe('ChunkHandoff', () => {
  it('hands the reader every chunk as written, in order, without copying, and ends with the writer', async () => {
    const handoff = new ChunkHandoff(1024);
    const first = written(handoff, 'a,1\n');
    const second = written(handoff, 'b,2\n');
    handoff.end();
    const read: Uint8Array[] = [];
    for await (const chunk of handoff) read.push(chunk);
    expect(read).toHaveLength(2);
    expect(read[0]).toBe(first.chunk);
    expect(read[1]).toBe(second.chunk);
  });

  it('releases a chunk to the writer only when the reader asks for the next one', async () => {
    const handoff = new ChunkHandoff(1024);
    const reader = handoff[Symbol.asyncIterator]();
    const first = written(handoff, 'a,1\n');
    const got = await reader.next();
    expect(got.value).toBe(first.chunk);
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.released()).toBe(false);
    const asking = reader.next();
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.released()).toBe(true);
    const second = written(handoff, 'b,2\n');
    expect((await asking).value).toBe(second.chunk);
    handoff.end();
    expect((await reader.next()).done).toBe(true);
    expect(second.released()).toBe(true);
  });

  it('makes the reader fail with the reason the writer was destroyed for', async () => {
    const handoff = new ChunkHandoff(1024);
    // The writer's owner observes its errors; the reader gets the reason too.
    handoff.on('error', () => {});
    const reader = handoff[Symbol.asyncIterator]();
    written(handoff, 'a,1\n');
    await reader.next();
    const waiting = reader.next();
    handoff.destroy(new Error('row 7 of x.csv is not numeric'));
    await expect(waiting).rejects.toThrow('row 7 of x.csv is not numeric');
  });
});
