// A minimal HTTP server for the client CPU benchmark, in a child process so that its CPU time is not counted
// by the client's process.cpuUsage(): every request is answered 200 with a small JSON body.
//
//   const server = await startLoopbackServer(); // { url, close() }
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

/** The body of every answer. */
export const LOOPBACK_BODY = JSON.stringify({ totalCount: 1, items: [{ id: 'x' }] });

if (process.argv[2] === 'loopback-server-child') await child();

/** Forks the server process; resolves `{ url, close() }` once it listens on 127.0.0.1. */
export async function startLoopbackServer() {
  const proc = fork(self, ['loopback-server-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = await Promise.race([
    once(proc, 'message'),
    once(proc, 'exit').then(([code]) => {
      throw new Error(`loopback server exited (${code}) before listening`);
    }),
  ]);
  return {
    url: message.url,
    async close() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.disconnect();
      await exited;
    },
  };
}

async function child() {
  const body = Buffer.from(LOOPBACK_BODY);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length };
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, headers);
    res.end(body);
  });
  // Idle keep-alive sockets must outlive a whole round of the other variants.
  server.keepAliveTimeout = 10 * 60_000;
  server.headersTimeout = 10 * 60_000 + 1000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.on('disconnect', () => process.exit(0));
  process.send({ url: `http://127.0.0.1:${server.address().port}` });
}
