import {
  parseCheckpoint,
  type SweepCheckpoint,
  SweepCheckpointError,
  type SweepCheckpointStore,
} from './checkpoint.js';

/** The code of a Node.js system error, if `error` is one. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

let written = 0;

/**
 * A checkpoint kept in a JSON file (Node.js). `save` writes a temporary file beside it, flushes it to disk,
 * then renames it over the file: a crash at any point leaves the previous checkpoint or the new one, never a
 * mix. `load` answers `undefined` when the file does not exist, and throws {@link SweepCheckpointError} when
 * it is not a checkpoint (it is never overwritten then).
 */
export function fileCheckpoint(path: string): SweepCheckpointStore {
  if (typeof path !== 'string' || path.length === 0)
    throw new SweepCheckpointError('fileCheckpoint: expected the path of a file');
  return {
    async load(signal) {
      const { readFile } = await import('node:fs/promises');
      let text: string;
      try {
        text = await readFile(path, { encoding: 'utf8', signal });
      } catch (error: unknown) {
        if (codeOf(error) === 'ENOENT') return undefined;
        throw error;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new SweepCheckpointError(`${path} is not a sweep checkpoint: not JSON`);
      }
      return parseCheckpoint(value, path);
    },
    async save(checkpoint: SweepCheckpoint, signal) {
      const { open, rename, rm } = await import('node:fs/promises');
      written += 1;
      const temporary = `${path}.${process.pid}.${written}.tmp`;
      const file = await open(temporary, 'w');
      try {
        try {
          await file.writeFile(`${JSON.stringify(checkpoint)}\n`, { signal });
          await file.sync();
        } finally {
          await file.close();
        }
        signal.throwIfAborted();
        await rename(temporary, path);
      } catch (error: unknown) {
        await rm(temporary, { force: true }).catch(() => undefined);
        throw error;
      }
    },
  };
}
