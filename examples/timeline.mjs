// Renders the demo's timeline as one self-contained HTML page with an inline SVG that scales to the browser
// window: a lane of the faults the demo injected (labelled bands), then one row per tenant scope with its
// attempts, the library's decisions (retries, waits, breaker, tokens) and every call's outcome. The legend
// draws each mark with the same function as the chart.

/** Every mark: its legend label, colour and shape. Colours are distinct per mark (at least 60 apart in RGB). */
export const MARKS = {
  attempt: { label: 'attempt sent', color: '#868e96', shape: 'tick' },
  retry: { label: 'retry scheduled', color: '#e8590c', shape: 'circle' },
  throttle: { label: 'Retry-After wait (429)', color: '#fcc419', shape: 'bar-top' },
  gate: { label: 'held at the throttle gate', color: '#74c0fc', shape: 'bar-bottom' },
  open: { label: 'breaker open', color: '#ff8787', shape: 'band' },
  break: { label: 'breaker opened', color: '#c92a2a', shape: 'triangle-down' },
  'half-open': { label: 'half-open (test call)', color: '#7048e8', shape: 'circle-ring' },
  reset: { label: 'breaker closed', color: '#2b8a3e', shape: 'triangle-up' },
  token: { label: 'token refresh', color: '#1864ab', shape: 'diamond' },
  ok: { label: 'call succeeded', color: '#69db7c', shape: 'dot' },
  'ok-reconciled': { label: 'order reconciled', color: '#0ca678', shape: 'star' },
  throttled: { label: 'call failed: throttled', color: '#995c00', shape: 'square' },
  'circuit-open': { label: 'call refused: circuit open', color: '#212529', shape: 'cross' },
  server: { label: 'call failed: server error', color: '#862e9c', shape: 'square' },
  network: { label: 'call failed: network', color: '#e599f7', shape: 'square' },
  timeout: { label: 'call failed: timeout', color: '#d6336c', shape: 'square' },
  other: { label: 'call failed: other kind', color: '#ced4da', shape: 'square' },
  fault: { label: 'injected fault', color: '#495057', shape: 'hatch' },
};

/** The outcome mark of a failed call's kind. */
export function failureMark(kind) {
  return kind in MARKS && kind !== 'ok' ? kind : 'other';
}

const escapeHtml = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

const title = (text) => (text ? `<title>${escapeHtml(text)}</title>` : '');
const r1 = (n) => Math.round(n * 10) / 10;

/** One mark of `type` at (x, y) (its centre), with a tooltip. Used by the chart and the legend. */
function mark(type, x, y, tip = '', width = 0, height = 12) {
  const { color, shape } = MARKS[type];
  const t = title(tip);
  switch (shape) {
    case 'tick':
      return `<line x1="${r1(x)}" x2="${r1(x)}" y1="${r1(y - 4)}" y2="${r1(y + 4)}" stroke="${color}" stroke-width="1">${t}</line>`;
    case 'circle':
      return `<circle cx="${r1(x)}" cy="${r1(y)}" r="3" fill="${color}">${t}</circle>`;
    case 'circle-ring':
      return `<circle cx="${r1(x)}" cy="${r1(y)}" r="4" fill="#fff" stroke="${color}" stroke-width="2">${t}</circle>`;
    case 'dot':
      return `<circle cx="${r1(x)}" cy="${r1(y)}" r="2" fill="${color}">${t}</circle>`;
    case 'square':
      return `<rect x="${r1(x - 3)}" y="${r1(y - 3)}" width="6" height="6" fill="${color}">${t}</rect>`;
    case 'cross':
      return `<path d="M${r1(x - 3)},${r1(y - 3)} L${r1(x + 3)},${r1(y + 3)} M${r1(x + 3)},${r1(y - 3)} L${r1(x - 3)},${r1(y + 3)}" stroke="${color}" stroke-width="2">${t}</path>`;
    case 'triangle-down':
      return `<path d="M${r1(x - 5)},${r1(y - 4)} L${r1(x + 5)},${r1(y - 4)} L${r1(x)},${r1(y + 4)} Z" fill="${color}">${t}</path>`;
    case 'triangle-up':
      return `<path d="M${r1(x - 5)},${r1(y + 4)} L${r1(x + 5)},${r1(y + 4)} L${r1(x)},${r1(y - 4)} Z" fill="${color}">${t}</path>`;
    case 'diamond':
      return `<path d="M${r1(x)},${r1(y - 5)} L${r1(x + 5)},${r1(y)} L${r1(x)},${r1(y + 5)} L${r1(x - 5)},${r1(y)} Z" fill="${color}">${t}</path>`;
    case 'star':
      return `<path d="M${r1(x)},${r1(y - 5)} L${r1(x + 1.5)},${r1(y - 1.5)} L${r1(x + 5)},${r1(y)} L${r1(x + 1.5)},${r1(y + 1.5)} L${r1(x)},${r1(y + 5)} L${r1(x - 1.5)},${r1(y + 1.5)} L${r1(x - 5)},${r1(y)} L${r1(x - 1.5)},${r1(y - 1.5)} Z" fill="${color}">${t}</path>`;
    case 'bar-top':
    case 'bar-bottom':
      return `<rect x="${r1(x)}" y="${r1(y - 2)}" width="${r1(Math.max(2, width || 14))}" height="4" fill="${color}">${t}</rect>`;
    case 'band':
      return `<rect x="${r1(x)}" y="${r1(y - height / 2)}" width="${r1(Math.max(2, width || 14))}" height="${height}" fill="${color}" opacity="0.22">${t}</rect>`;
    case 'hatch':
      return `<rect x="${r1(x)}" y="${r1(y - height / 2)}" width="${r1(Math.max(3, width || 14))}" height="${height}" fill="url(#hatch)" stroke="${color}" stroke-width="1" opacity="0.55">${t}</rect>`;
    default:
      throw new Error(`unknown shape ${shape}`);
  }
}

/**
 * @param {{
 *   timeline: Array<{ t: number, scope: string, type: string, detail?: string, ms?: number }>,
 *   faults?: Array<{ label: string, fromMs: number, untilMs: number, scope?: string }>,
 *   durationMs: number,
 *   title: string,
 *   subtitle?: string,
 * }} input
 * @returns {string} HTML
 */
export function renderTimeline({ timeline, faults = [], durationMs, title: pageTitle, subtitle = '' }) {
  const byScope = new Map();
  for (const e of timeline) {
    if (!byScope.has(e.scope)) byScope.set(e.scope, []);
    byScope.get(e.scope).push(e);
  }
  // Rows in order of interest: a scope with an injected fault, then breaker, token and reconcile events
  // (rare, and what a reader looks for), then the other non-success events.
  const RARE = new Set(['break', 'half-open', 'reset', 'token', 'ok-reconciled']);
  const notable = (scope) =>
    (byScope.get(scope) ?? []).reduce(
      (sum, e) =>
        sum + (RARE.has(e.type) ? 100 : ['attempt', 'ok', 'throttle', 'gate'].includes(e.type) ? 0 : 1),
      faults.some((f) => f.scope === scope) ? 100_000 : 0,
    );
  const MAX_ROWS = 60;
  const all = [...byScope.keys()].sort((a, b) =>
    a === 'partner' ? -1 : b === 'partner' ? 1 : notable(b) - notable(a) || a.localeCompare(b),
  );
  const scopes = all.slice(0, MAX_ROWS);
  const hidden = all.length - scopes.length;

  const W = 1600; // viewBox units; the SVG scales to the window's width
  const left = 330;
  const right = 24;
  const plotW = W - left - right;
  // Legend first (visible without scrolling): every mark drawn by the same function as in the chart.
  const legendTop = 18;
  let lx = 20;
  let ly = legendTop;
  const legend = [];
  for (const [type, { label }] of Object.entries(MARKS)) {
    const w = 40 + label.length * 6.8;
    if (lx + w > W - right) {
      lx = 20;
      ly += 24;
    }
    const wide = ['band', 'hatch', 'bar-top', 'bar-bottom'].includes(MARKS[type].shape);
    legend.push(mark(type, wide ? lx : lx + 7, ly, '', 14));
    legend.push(`<text x="${lx + 20}" y="${ly + 4}" font-size="12">${escapeHtml(label)}</text>`);
    lx += w;
  }
  const top = ly + 44;
  const faultLaneH = 16 * Math.max(1, faults.length) + 12;
  const rowH = 28;
  const rowsTop = top + faultLaneH + 8;
  const rowsBottom = rowsTop + scopes.length * rowH;
  const x = (t) => left + (Math.max(0, Math.min(t, durationMs)) / Math.max(durationMs, 1)) * plotW;
  const parts = [];

  // Time grid and axis (ticks on a 1/2/5/10 s step, about 15 of them).
  const seconds = durationMs / 1000;
  const step = [1, 2, 5, 10, 15, 30, 60].find((s) => seconds / s <= 16) ?? 60;
  for (let s = 0; s <= seconds + 1e-9; s += step) {
    const tx = x(s * 1000);
    parts.push(`<line x1="${r1(tx)}" x2="${r1(tx)}" y1="${top - 4}" y2="${rowsBottom}" stroke="#e9ecef"/>`);
    parts.push(`<text x="${r1(tx)}" y="${top - 8}" font-size="11" text-anchor="middle">${s} s</text>`);
    parts.push(
      `<text x="${r1(tx)}" y="${rowsBottom + 16}" font-size="11" text-anchor="middle">${s} s</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${rowsBottom + 36}" font-size="13" font-weight="600" text-anchor="middle">time since the run started (seconds)</text>`,
  );
  parts.push(
    `<text x="14" y="${(rowsTop + rowsBottom) / 2}" font-size="13" font-weight="600" text-anchor="middle" transform="rotate(-90 14 ${(rowsTop + rowsBottom) / 2})">tenant scope (one row each)</text>`,
  );

  // The injected faults: one labelled band each in the fault lane; a tenant's fault also on its row.
  parts.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${faultLaneH}" fill="#f8f9fa" stroke="#ced4da"/>`,
  );
  parts.push(
    `<text x="${left - 8}" y="${top + faultLaneH / 2 + 4}" text-anchor="end" font-size="12" font-weight="600">injected faults</text>`,
  );
  faults.forEach((f, i) => {
    const fy = top + 8 + 16 * i + 6;
    const fx = x(f.fromMs);
    const fw = Math.max(3, x(f.untilMs) - fx);
    parts.push(
      mark(
        'fault',
        fx,
        fy,
        `${f.label} (${(f.fromMs / 1000).toFixed(1)}-${(f.untilMs / 1000).toFixed(1)} s)`,
        fw,
      ),
    );
    const labelW = f.label.length * 6.2;
    // The label inside a band wide enough for it, else after the band, else before it.
    const [lxText, anchor] =
      fw > labelW + 16
        ? [fx + 8, 'start']
        : fx + fw + 6 + labelW <= left + plotW
          ? [fx + fw + 6, 'start']
          : [fx - 6, 'end'];
    const backdrop =
      fw > labelW + 16
        ? `<rect x="${r1(lxText - 3)}" y="${fy - 6}" width="${r1(labelW + 6)}" height="12" fill="#fff" opacity="0.85"/>`
        : '';
    parts.push(
      `${backdrop}<text x="${r1(lxText)}" y="${fy + 4}" font-size="11" text-anchor="${anchor}" fill="#212529">${escapeHtml(f.label)}</text>`,
    );
  });

  scopes.forEach((scope, row) => {
    const y = rowsTop + row * rowH;
    const mid = y + rowH / 2 - 1;
    const events = byScope.get(scope);
    parts.push(
      `<rect x="${left}" y="${y}" width="${plotW}" height="${rowH}" fill="${row % 2 ? '#f8f9fa' : '#ffffff'}"/>`,
    );
    parts.push(
      `<text x="${left - 8}" y="${mid + 4}" text-anchor="end" font-size="11" font-family="ui-monospace,Menlo,Consolas,monospace">${escapeHtml(scope)}</text>`,
    );
    for (const f of faults.filter((fault) => fault.scope === scope)) {
      parts.push(mark('fault', x(f.fromMs), mid, f.label, x(f.untilMs) - x(f.fromMs), rowH));
    }
    // Breaker open periods: from a break to the next half-open or close (or the end of the run).
    let openedAt;
    const band = (from, to) =>
      parts.push(
        mark(
          'open',
          x(from),
          mid,
          `breaker open ${((to - from) / 1000).toFixed(1)} s`,
          x(to) - x(from),
          rowH,
        ),
      );
    for (const e of events) {
      if (e.type === 'break' && openedAt === undefined) openedAt = e.t;
      if ((e.type === 'half-open' || e.type === 'reset') && openedAt !== undefined) {
        band(openedAt, e.t);
        openedAt = undefined;
      }
    }
    if (openedAt !== undefined) band(openedAt, durationMs);

    for (const e of events) {
      const ex = x(e.t);
      switch (e.type) {
        case 'attempt':
          parts.push(mark('attempt', ex, y + 7));
          break;
        case 'throttle':
          parts.push(mark('throttle', ex, y + 2, `Retry-After ${e.ms} ms`, x(e.t + (e.ms ?? 0)) - ex));
          break;
        case 'gate':
          parts.push(
            mark('gate', ex, y + rowH - 2, `held at the throttle gate ${e.ms} ms`, x(e.t + (e.ms ?? 0)) - ex),
          );
          break;
        case 'retry':
          parts.push(mark('retry', ex, mid, `retry in ${e.ms} ms after ${e.detail}`));
          break;
        case 'break':
          parts.push(mark('break', ex, mid, e.detail ? `breaker opened: ${e.detail}` : 'breaker opened'));
          break;
        case 'half-open':
          parts.push(mark('half-open', ex, mid, 'half-open: one test call'));
          break;
        case 'reset':
          parts.push(mark('reset', ex, mid, 'breaker closed'));
          break;
        case 'token':
          parts.push(mark('token', ex, mid, `token refresh: ${e.detail}`));
          break;
        default:
          if (e.type in MARKS) parts.push(mark(e.type, ex, y + rowH - 7, e.detail ?? MARKS[e.type].label));
      }
    }
  });
  parts.push(
    `<rect x="${left}" y="${rowsTop}" width="${plotW}" height="${rowsBottom - rowsTop}" fill="none" stroke="#ced4da"/>`,
  );

  const height = rowsBottom + 48;
  const note = hidden > 0 ? ` ${hidden} quieter scopes are not drawn.` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(pageTitle)}</title>
<style>body{font-family:system-ui,sans-serif;margin:16px 24px;color:#212529}svg{display:block;width:100%;height:auto;border:1px solid #dee2e6}p{font-size:13px;margin:4px 0 10px}</style></head>
<body><h1 style="font-size:18px;margin:0 0 4px">${escapeHtml(pageTitle)}</h1>
<p>${escapeHtml(subtitle)} Top lane: the faults the demo injected. Each row is a tenant scope (the partner first, then the scopes with the most events): grey ticks are attempts, the middle line the library's decisions, the bottom line how each call ended.${escapeHtml(note)} Hover a mark for details.</p>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" preserveAspectRatio="xMinYMin meet" font-family="system-ui,sans-serif">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="${MARKS.fault.color}" stroke-width="2"/></pattern></defs>
${parts.join('\n')}
<g class="legend">
${legend.join('\n')}
</g>
</svg>
</body></html>
`;
}
