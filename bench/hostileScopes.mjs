// Heap held by 10,000 tenant scopes whose ids are 100 KB each (issue 12): scope keys are bounded (an id
// longer than 64 characters becomes a 32-character prefix and a 16-digit hash), so the registry holds
// 10,000 short keys, never 1 GB of ids. Runs the built package on a stub adapter (no network).
//
//   npm run build && node --expose-gc bench/hostileScopes.mjs
import axios from 'axios';
import { attachResilience } from '../dist/index.js';

const SCOPES = Number(process.env.SCOPES ?? 10_000);
const ID_CHARS = 100 * 1024;
/** The documented bound (docs/tenant-policies.md): heap per scope, whatever the id's length. */
const BOUND_BYTES_PER_SCOPE = 8 * 1024;

function heap() {
  if (!globalThis.gc) throw new Error('run with node --expose-gc');
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const stub = (config) =>
  Promise.resolve({ data: {}, status: 200, statusText: 'OK', headers: {}, config, request: {} });
const api = axios.create({ baseURL: 'https://api.partnercenter.microsoft.com', adapter: stub });
const handle = attachResilience(api, { tenants: { maxScopes: SCOPES } });
const before = heap();
const base = 'x'.repeat(ID_CHARS - 8);
for (let i = 0; i < SCOPES; i++) {
  // A fresh 100 KB id per call, built and dropped one at a time.
  await api.get(`/v1/customers/${base}${String(i).padStart(8, '0')}/orders`);
}
const after = heap();
const perScope = (after - before) / SCOPES;
const result = {
  scopes: handle.scopeCount,
  idChars: ID_CHARS,
  heapDeltaMiB: Number(((after - before) / 1024 / 1024).toFixed(1)),
  bytesPerScope: Math.round(perScope),
  boundBytesPerScope: BOUND_BYTES_PER_SCOPE,
  withinBound: perScope <= BOUND_BYTES_PER_SCOPE,
};
console.log(JSON.stringify(result, null, 2));
handle.detach();
if (!result.withinBound) process.exitCode = 1;
