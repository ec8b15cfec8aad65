// Renders the demo's timeline as one self-contained HTML page with an inline SVG: one row per scope,
// attempts as ticks, server-requested waits as bars, breaker open periods as bands.

const COLORS = {
  attempt: '#8a94a6',
  retry: '#f08c00',
  throttle: '#e8b500',
  gate: '#ffe066',
  open: '#e03131',
  halfOpen: '#f59f00',
  reset: '#2f9e44',
  token: '#1c7ed6',
};

const escapeHtml = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/**
 * @param {{ timeline: Array<{ t: number, scope: string, type: string, detail?: string, ms?: number }>, durationMs: number, title: string }} input
 * @returns {string} HTML
 */
export function renderTimeline({ timeline, durationMs, title }) {
  const byScope = new Map();
  for (const e of timeline) {
    if (!byScope.has(e.scope)) byScope.set(e.scope, []);
    byScope.get(e.scope).push(e);
  }
  const interesting = (events) => events.filter((e) => e.type !== 'attempt').length;
  const scopes = [...byScope.keys()]
    .sort((a, b) =>
      a === 'partner' ? -1 : b === 'partner' ? 1 : interesting(byScope.get(b)) - interesting(byScope.get(a)),
    )
    .slice(0, 14);
  const left = 250;
  const width = 1100;
  const rowH = 34;
  const top = 40;
  const height = top + scopes.length * rowH + 60;
  const x = (t) => left + (Math.min(t, durationMs) / Math.max(durationMs, 1)) * (width - left - 20);
  const parts = [];
  scopes.forEach((scope, row) => {
    const y = top + row * rowH;
    const events = byScope.get(scope);
    parts.push(
      `<rect x="${left}" y="${y}" width="${width - left - 20}" height="${rowH - 6}" fill="${row % 2 ? '#f8f9fa' : '#ffffff'}"/>`,
    );
    parts.push(
      `<text x="${left - 8}" y="${y + rowH / 2}" text-anchor="end" font-size="11">${escapeHtml(scope.startsWith('customer:') ? `customer ${scope.slice(9, 17)}…` : scope)}</text>`,
    );
    // Breaker open periods: from a break to the next half-open (or the end).
    let openedAt;
    for (const e of events) {
      if (e.type === 'break') openedAt = e.t;
      if ((e.type === 'half-open' || e.type === 'reset') && openedAt !== undefined) {
        parts.push(
          `<rect x="${x(openedAt)}" y="${y}" width="${Math.max(1, x(e.t) - x(openedAt))}" height="${rowH - 6}" fill="${COLORS.open}" opacity="0.25"><title>breaker open ${((e.t - openedAt) / 1000).toFixed(1)} s</title></rect>`,
        );
        openedAt = undefined;
      }
    }
    if (openedAt !== undefined) {
      parts.push(
        `<rect x="${x(openedAt)}" y="${y}" width="${Math.max(1, x(durationMs) - x(openedAt))}" height="${rowH - 6}" fill="${COLORS.open}" opacity="0.25"/>`,
      );
    }
    for (const e of events) {
      const ex = x(e.t);
      if (e.type === 'attempt')
        parts.push(
          `<line x1="${ex}" x2="${ex}" y1="${y + 10}" y2="${y + rowH - 10}" stroke="${COLORS.attempt}" stroke-width="1"/>`,
        );
      else if (e.type === 'throttle' || e.type === 'gate') {
        const w = Math.max(2, x(e.t + (e.ms ?? 0)) - ex);
        const dy = e.type === 'gate' ? rowH - 12 : 2;
        parts.push(
          `<rect x="${ex}" y="${y + dy}" width="${w}" height="5" fill="${COLORS[e.type]}"><title>${e.type === 'gate' ? 'waits at the throttle gate' : 'Retry-After'} ${e.ms} ms</title></rect>`,
        );
      } else if (e.type === 'retry')
        parts.push(
          `<circle cx="${ex}" cy="${y + rowH / 2 - 3}" r="3" fill="${COLORS.retry}"><title>retry after ${escapeHtml(e.detail ?? '')} in ${Math.round(e.ms ?? 0)} ms</title></circle>`,
        );
      else if (e.type === 'break')
        parts.push(
          `<path d="M${ex - 5},${y + 2} L${ex + 5},${y + 2} L${ex},${y + 11} Z" fill="${COLORS.open}"><title>breaker opened: ${escapeHtml(e.detail ?? '')}</title></path>`,
        );
      else if (e.type === 'half-open')
        parts.push(
          `<circle cx="${ex}" cy="${y + 6}" r="4" fill="${COLORS.halfOpen}"><title>half-open: test call</title></circle>`,
        );
      else if (e.type === 'reset')
        parts.push(
          `<circle cx="${ex}" cy="${y + 6}" r="4" fill="${COLORS.reset}"><title>breaker closed</title></circle>`,
        );
      else if (e.type === 'token')
        parts.push(
          `<rect x="${ex - 4}" y="${y + rowH - 14}" width="8" height="8" transform="rotate(45 ${ex} ${y + rowH - 10})" fill="${COLORS.token}"><title>token ${escapeHtml(e.detail ?? '')}</title></rect>`,
        );
    }
  });
  for (let s = 0; s * 1000 <= durationMs; s += Math.max(1, Math.round(durationMs / 10_000))) {
    const tx = x(s * 1000);
    parts.push(
      `<line x1="${tx}" x2="${tx}" y1="${top - 4}" y2="${top + scopes.length * rowH}" stroke="#dee2e6"/>`,
    );
    parts.push(`<text x="${tx}" y="${top - 8}" font-size="10" text-anchor="middle">${s} s</text>`);
  }
  let legendX = left;
  const legend = [
    ['attempt', COLORS.attempt],
    ['retry', COLORS.retry],
    ['Retry-After wait', COLORS.throttle],
    ['waiting at the throttle gate', COLORS.gate],
    ['breaker open', COLORS.open],
    ['half-open', COLORS.halfOpen],
    ['breaker closed', COLORS.reset],
    ['token refresh', COLORS.token],
  ]
    .map(([name, color]) => {
      const x0 = legendX;
      legendX += 30 + name.length * 6;
      return `<rect x="${x0}" y="${height - 34}" width="10" height="10" fill="${color}"/><text x="${x0 + 14}" y="${height - 25}" font-size="10">${escapeHtml(name)}</text>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#212529}svg{border:1px solid #dee2e6}</style></head>
<body><h1 style="font-size:18px">${escapeHtml(title)}</h1>
<p style="font-size:13px">One row per tenant scope (the partner scope and the busiest customer scopes). Hover a mark for details.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui,sans-serif">${parts.join('')}${legend}</svg>
</body></html>
`;
}
