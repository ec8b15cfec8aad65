// Pure parsing of `node --trace-gc-nvp` output for the GC survival benchmark. V8 prints one line per
// collection, `[pid:isolate]  <t> ms: key=value key=value ...`; scavenges (young collections) have `gc=s`.
// Node 20 prints the bytes promoted to the old generation as `promoted=` and the bytes copied within the
// young generation as `new_space_survived=` (older V8 versions: `semi_space_copied=`).
// The measured child process writes phase markers on the same stdout (they stay in order with V8's lines):
//   #bench-gc start <phase> calls=<n>
//   #bench-gc end <phase>

const TRACE_PREFIX = /^\[\d+:0x[0-9a-f]+\]\s+[\d.]+ ms: /i;
const MARKER = /^#bench-gc (start|end) (\S+)(?: calls=(\d+))?\s*$/;

/** The start and end marker lines of a phase, as the child prints them. */
export function phaseMarker(kind, phase, calls) {
  return kind === 'start' ? `#bench-gc start ${phase} calls=${calls}` : `#bench-gc end ${phase}`;
}

/**
 * The fields of one --trace-gc-nvp line as an object (numeric values as numbers, a trailing '%' dropped),
 * or undefined when the line is not such a line.
 */
export function parseNvpLine(line) {
  const prefix = TRACE_PREFIX.exec(line);
  if (!prefix) return undefined;
  const fields = {};
  for (const token of line.slice(prefix[0].length).trim().split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq <= 0) continue;
    const raw = token.slice(eq + 1);
    const numeric = raw.endsWith('%') ? raw.slice(0, -1) : raw;
    fields[token.slice(0, eq)] = numeric !== '' && Number.isFinite(Number(numeric)) ? Number(numeric) : raw;
  }
  return fields;
}

/** Bytes promoted and copied by one parsed scavenge line, or undefined when the line is not a scavenge. */
export function scavengeBytes(fields) {
  if (fields?.gc !== 's') return undefined;
  const copied = fields.new_space_survived ?? fields.semi_space_copied;
  if (typeof fields.promoted !== 'number' || typeof copied !== 'number') return undefined;
  return { promoted: fields.promoted, copied };
}

/**
 * Scavenges per phase of a child's whole stdout: `{ [phase]: { calls, scavenges, promotedBytes,
 * copiedBytes } }`. Collections outside a start..end pair (warm-up, forced full gcs) are ignored; a phase
 * started but never ended throws (the child did not finish).
 */
export function summarizeGcTrace(text) {
  const phases = {};
  let current;
  for (const line of text.split(/\r?\n/)) {
    const marker = MARKER.exec(line);
    if (marker) {
      const [, kind, phase, calls] = marker;
      if (kind === 'start') {
        if (current) throw new Error(`gc trace: phase ${phase} started inside ${current.phase}`);
        current = {
          phase,
          stats: { calls: Number(calls ?? 0), scavenges: 0, promotedBytes: 0, copiedBytes: 0 },
        };
      } else {
        if (current?.phase !== phase) throw new Error(`gc trace: end of ${phase} without its start`);
        phases[phase] = current.stats;
        current = undefined;
      }
      continue;
    }
    if (!current) continue;
    const bytes = scavengeBytes(parseNvpLine(line));
    if (!bytes) continue;
    current.stats.scavenges += 1;
    current.stats.promotedBytes += bytes.promoted;
    current.stats.copiedBytes += bytes.copied;
  }
  if (current) throw new Error(`gc trace: phase ${current.phase} never ended`);
  return phases;
}

/**
 * Means of one phase: bytes promoted, copied and survived (promoted + copied) per scavenge and per call.
 * Per-scavenge means are 0 when there was no scavenge; per-call means are 0 when there were no calls.
 */
export function gcRates({ calls, scavenges, promotedBytes, copiedBytes }) {
  const per = (bytes, count) => (count > 0 ? bytes / count : 0);
  return {
    calls,
    scavenges,
    promotedPerScavenge: per(promotedBytes, scavenges),
    copiedPerScavenge: per(copiedBytes, scavenges),
    survivedPerScavenge: per(promotedBytes + copiedBytes, scavenges),
    promotedPerCall: per(promotedBytes, calls),
    copiedPerCall: per(copiedBytes, calls),
    survivedPerCall: per(promotedBytes + copiedBytes, calls),
  };
}
