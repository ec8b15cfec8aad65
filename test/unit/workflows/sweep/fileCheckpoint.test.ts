import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileCheckpoint, type SweepCheckpoint, SweepCheckpointError } from '../../../../src/sweep.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pcr-checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const signal = new AbortController().signal;

function checkpoint(done: string[]): SweepCheckpoint {
  return {
    format: 'partner-center-resilience/sweep-checkpoint',
    version: 1,
    savedAt: new Date(0).toISOString(),
    done,
    failed: [{ tenantId: 'x', kind: 'not-found', status: 404, reason: 'gone', attempts: 1, at: 'then' }],
    pending: ['y'],
    attempts: { y: 2 },
    complete: false,
  };
}

describe('fileCheckpoint', () => {
  it('answers undefined while there is no file, then what was saved', async () => {
    const store = fileCheckpoint(join(dir, 'c.json'));
    expect(await store.load(signal)).toBeUndefined();
    await store.save(checkpoint(['a', 'b']), signal);
    expect(await store.load(signal)).toEqual(checkpoint(['a', 'b']));
    await store.save(checkpoint(['a', 'b', 'c']), signal);
    expect((await store.load(signal))?.done).toEqual(['a', 'b', 'c']);
    expect(await readdir(dir)).toEqual(['c.json']); // no temporary file left behind
  });

  it('a save that cannot complete leaves the previous checkpoint whole, and no temporary file', async () => {
    const path = join(dir, 'c.json');
    const store = fileCheckpoint(path);
    await store.save(checkpoint(['a']), signal);
    const aborted = AbortSignal.abort();
    await expect(store.save(checkpoint(['a', 'b']), aborted)).rejects.toThrow();
    expect((await store.load(signal))?.done).toEqual(['a']);
    expect(await readdir(dir)).toEqual(['c.json']);
  });

  it('refuses a file that is not a checkpoint, and leaves it as it is', async () => {
    const path = join(dir, 'c.json');
    await writeFile(path, 'not json');
    await expect(fileCheckpoint(path).load(signal)).rejects.toThrow(SweepCheckpointError);
    await writeFile(
      path,
      JSON.stringify({ format: 'partner-center-resilience/sweep-checkpoint', version: 2 }),
    );
    await expect(fileCheckpoint(path).load(signal)).rejects.toThrow(/version/);
    expect(await readFile(path, 'utf8')).toContain('"version":2');
  });

  it('refuses an empty path', () => {
    expect(() => fileCheckpoint('')).toThrow(SweepCheckpointError);
  });
});
