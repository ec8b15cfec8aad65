import { describe, expect, it } from 'vitest';
import { spliceSection } from '../../../bench/lib/spliceSection.mjs';

const DOC = [
  '# Title',
  '',
  '## One',
  '',
  'one',
  '',
  '## Two',
  '',
  'two',
  '',
  '## Reading',
  '',
  'text',
  '',
].join('\n');

describe('bench spliceSection', () => {
  it('replaces the section of the same heading up to the next one, leaving every other line as it was', () => {
    const out = spliceSection(DOC, '## Two\n\nTWO, again\n');
    expect(out).toBe(DOC.replace('two\n', 'TWO, again\n'));
  });

  it('inserts a new section before the first of the given headings found, else appends it', () => {
    const before = spliceSection(DOC, '## New\n\nnew\n', ['## Missing', '## Reading']);
    expect(before).toBe(DOC.replace('## Reading', '## New\n\nnew\n\n## Reading'));
    const appended = spliceSection(DOC, '## New\n\nnew\n', ['## Missing']);
    expect(appended).toBe(`${DOC}\n## New\n\nnew\n`);
    // Spliced again, the inserted section is replaced in place.
    expect(spliceSection(before, '## New\n\nnewer\n', ['## Reading'])).toBe(
      before.replace('\nnew\n', '\nnewer\n'),
    );
  });

  it('replaces the last section to the end, and adds the separating blank line a section without one lacks', () => {
    expect(spliceSection(DOC, '## Reading\n\nrewritten')).toBe(DOC.replace('text\n', 'rewritten\n'));
  });

  it('refuses a section that does not start with a ## heading', () => {
    expect(() => spliceSection(DOC, 'no heading\n')).toThrow(/## heading/);
    expect(() => spliceSection(DOC, '### Deeper\n')).toThrow(/## heading/);
  });
});
