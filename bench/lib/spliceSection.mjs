// Puts one rendered `## ` section into a generated markdown document and leaves every other line as it was,
// so that a part of the bench run alone can refresh its own section of docs/benchmarks.md.

/**
 * `document` with `section` (markdown starting with its `## ` heading line) in place of the section of the
 * same heading, which runs to the next `## ` heading or the end; without one, inserted before the first
 * heading of `before` found in the document, else appended. Code fences are not parsed: headings are
 * lines starting with `## `.
 */
export function spliceSection(document, section, before = []) {
  const heading = section.split('\n', 1)[0];
  if (!heading.startsWith('## ')) throw new Error(`spliceSection: the section must start with a ## heading`);
  // The section keeps its blank last line: sections are separated by one.
  const body = (section.endsWith('\n') ? section : `${section}\n`).split('\n');
  const lines = document.split('\n');
  const start = lines.indexOf(heading);
  if (start >= 0) {
    const next = lines.findIndex((line, i) => i > start && line.startsWith('## '));
    const end = next < 0 ? lines.length : next;
    return [...lines.slice(0, start), ...body, ...lines.slice(end)].join('\n');
  }
  for (const next of before) {
    const at = lines.indexOf(next);
    if (at >= 0) return [...lines.slice(0, at), ...body, ...lines.slice(at)].join('\n');
  }
  const tail = lines.at(-1) === '' ? lines.slice(0, -1) : lines;
  return [...tail, '', ...body].join('\n');
}
