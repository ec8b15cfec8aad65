// Text tables of the demo's closing screen, every line at most WIDTH columns.

/** Terminal columns the demo's output never exceeds. */
export const WIDTH = 120;

/** `text` cut to `width` columns (an ellipsis at the end when cut). */
export function clip(text, width = WIDTH) {
  return text.length <= width ? text : `${text.slice(0, width - 1)}\u2026`;
}

/** Words of `text` wrapped into lines of at most `width` columns. */
function wrap(text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.length > 0 ? lines : [''];
}

/** `text` as lines of at most `width` columns, broken between words. */
export function paragraph(text, width = WIDTH) {
  return wrap(text, width);
}

/**
 * Rows of `[label, value, explanation]` as aligned lines: the label, the value right-aligned, then the
 * explanation, wrapped under itself when longer than the line. A row without a value is a heading.
 */
export function explainedTable(rows, width = WIDTH) {
  const labelW = Math.max(...rows.map(([label]) => label.length));
  const valueW = Math.max(...rows.map(([, value]) => String(value ?? '').length));
  const textAt = labelW + 2 + valueW + 2;
  const lines = [];
  for (const [label, value, explanation = ''] of rows) {
    const head = `${label.padEnd(labelW)}  ${String(value ?? '').padStart(valueW)}  `;
    const [first, ...rest] = wrap(explanation, width - textAt);
    lines.push(clip(`${head}${first}`.trimEnd(), width));
    for (const more of rest) lines.push(clip(`${' '.repeat(textAt)}${more}`, width));
  }
  return lines;
}

/** `columns` (names) over `rows` (`[name, ...numbers]`), numbers right-aligned under their names. */
export function numberTable(columns, rows) {
  const firstW = Math.max(columns[0].length, ...rows.map(([name]) => name.length));
  const widths = columns
    .slice(1)
    .map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i + 1]).length)));
  const line = (cells) =>
    clip(
      [
        String(cells[0]).padEnd(firstW),
        ...cells.slice(1).map((cell, i) => String(cell).padStart(widths[i] ?? 0)),
      ].join('   '),
    );
  return [line(columns), ...rows.map(line)];
}
