// Lists the src files a healthy call runs code in: one call through an attached instance (after 1000 calls that
// warm up its caches and end the rate limiter's first-contact slow start), measured with V8's precise coverage over the built bundle, each function that ran mapped
// back to its src file through the bundle's source map. Prints JSON: { "<variant>": ["file (functions)", ...] }.
// Usage: npm run build && node scripts/call-path.mjs

import { readFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundlePath = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const bundleUrl = pathToFileURL(bundlePath).href;
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"items":[]}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/v1`;

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });

const { default: axios } = await import('axios');
const { attachResilience } = await import(bundleUrl);

const source = readFileSync(bundlePath, 'utf8');
const map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')));
const lineStarts = [0];
for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
function positionOf(offset) {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, column: offset - lineStarts[low] };
}

async function filesRun() {
  const { result } = await session.post('Profiler.takePreciseCoverage');
  const files = new Map();
  for (const script of result) {
    if (script.url !== bundleUrl) continue;
    for (const fn of script.functions) {
      const body = fn.ranges[0];
      // The bundle's own top-level code ran when it was loaded, not during the call.
      if (body === undefined || body.startOffset === 0 || body.count === 0) continue;
      const { line, column } = positionOf(body.startOffset);
      const entry = map.findEntry(line, column);
      const file = (entry?.originalSource ?? '?').replace(/^.*\/src\//, '');
      if (!files.has(file)) files.set(file, new Set());
      files.get(file).add(fn.functionName || 'anonymous');
    }
  }
  return [...files]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, names]) => `${file} (${[...names].join(', ')})`);
}

async function healthyCall(options) {
  const instance = axios.create({ baseURL: base });
  attachResilience(instance, options);
  // Warm up past the first contact: the partner's slow start (rateLimit.slowStart) grows by one step per success
  // and ends after 715 of them (8/s + 1.39/s each, up to 1000/s); 1000 of the partner's own calls (no
  // customer rule paces them), 8 at a time, see it end. Then the customer's caches.
  let left = 1000;
  const lane = async () => {
    while (left-- > 0) await instance.get('/customers');
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  for (let i = 0; i < 3; i++) await instance.get('/customers/c1/subscriptions');
  await filesRun();
  await instance.get('/customers/c1/subscriptions');
  return filesRun();
}

const report = {
  defaults: await healthyCall({}),
  tokenProvider: await healthyCall({
    tokenProvider: {
      getToken: async () => ({ token: 'secret-token-value', expiresOnTimestamp: Date.now() + 3_600_000 }),
    },
  }),
};
await session.post('Profiler.stopPreciseCoverage');
session.disconnect();
server.close();
console.log(JSON.stringify(report, null, 2));
