import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** One request as the loopback server received it. */
export interface LoopbackHit {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body, utf-8. */
  readonly body: string;
  /** Client port of the connection (tells socket reuse apart). */
  readonly remotePort: number | undefined;
}

/**
 * Answers one request. It may answer (`res.end()`), destroy the socket, or do nothing at all (the request
 * hangs until the client gives up or the server closes). `index` counts hits from 0.
 */
export type LoopbackHandler = (
  hit: LoopbackHit,
  index: number,
  req: IncomingMessage,
  res: ServerResponse,
) => void | Promise<void>;

/** A real node:http server on 127.0.0.1, port chosen by the OS. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly hits: LoopbackHit[];
  /** Closes every connection (hanging ones included) and the server. Idempotent. */
  close(): Promise<void>;
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Starts a loopback server that records every request, then hands it to `handler` once the body is read. */
export async function startLoopbackServer(handler: LoopbackHandler): Promise<LoopbackServer> {
  const hits: LoopbackHit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hit: LoopbackHit = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: headerRecord(req),
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: req.socket.remotePort,
      };
      hits.push(hit);
      Promise.resolve()
        .then(() => handler(hit, hits.length - 1, req, res))
        .catch(() => {
          if (!res.headersSent) res.writeHead(599);
          res.end();
        });
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** Sends `status` with a JSON body (or nothing) and extra headers. */
export function reply(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (body === undefined) {
    res.writeHead(status, { 'content-length': '0', ...headers });
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** A port on 127.0.0.1 that nothing listens on (bound by the OS, then released): connecting is refused. */
export async function closedLoopbackPort(): Promise<number> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A GUID as Partner Center expects in MS-RequestId / MS-CorrelationId. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Awaits a promise that must reject and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/**
 * Registers an afterEach that runs, last first, every cleanup deferred during a test; `server()` starts a
 * loopback server that is closed that way.
 */
export function cleanupAfterEach(): {
  defer: (cleanup: () => unknown) => void;
  server: (handler: LoopbackHandler) => Promise<LoopbackServer>;
} {
  const pending: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of pending.splice(0).reverse()) await cleanup();
  });
  const defer = (cleanup: () => unknown) => {
    pending.push(cleanup);
  };
  const server = async (handler: LoopbackHandler): Promise<LoopbackServer> => {
    const started = await startLoopbackServer(handler);
    defer(() => started.close());
    return started;
  };
  return { defer, server };
}
