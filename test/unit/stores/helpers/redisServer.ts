import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

/** A Redis the tests can use: `PCR_REDIS_URL` (CI), or a redis-server this process spawned. */
export interface TestRedis {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops the spawned server (nothing for `PCR_REDIS_URL`). */
  stop(): Promise<void>;
  /** Sends a signal to the spawned server (`SIGSTOP`, `SIGCONT`); absent for `PCR_REDIS_URL`. */
  readonly kill?: (signal: NodeJS.Signals) => void;
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForPing(port: number, child: ChildProcess, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until && child.exitCode === null) {
    const probe = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return true;
    } catch {
      // not up yet
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Spawns `redis-server` (or `PCR_REDIS_SERVER_BIN`) on a free port; `undefined` when the binary is missing or does not start. */
export async function spawnRedisServer(port?: number): Promise<TestRedis | undefined> {
  const chosen = port ?? (await freePort());
  let child: ChildProcess;
  try {
    child = spawn(
      process.env['PCR_REDIS_SERVER_BIN'] ?? 'redis-server',
      ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  const failed = new Promise<false>((resolve) => child.once('error', () => resolve(false)));
  const up = await Promise.race([waitForPing(chosen, child, 5_000), failed]);
  if (!up) {
    child.kill('SIGKILL');
    return undefined;
  }
  return {
    url: `redis://127.0.0.1:${chosen}`,
    host: '127.0.0.1',
    port: chosen,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      // A stopped server must be woken to hear SIGTERM.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
    },
    kill(signal) {
      child.kill(signal);
    },
  };
}

/** Under CI (`CI` set) or `.ci/run` (`PCR_REDIS_REQUIRED=1`) a missing Redis fails the tests. */
function required(): boolean {
  return Boolean(process.env['CI'] || process.env['PCR_REDIS_REQUIRED']);
}

/**
 * The Redis for a test file: `PCR_REDIS_URL` when set, else a spawned redis-server. Await `start()` at the top
 * level of the file (while it is collected), mark each test that needs Redis `it.skipIf(fixture.skip)`, and
 * call `get()` at its top. Without a Redis, those tests are reported as skipped, except under CI, where
 * `skip` is false and `get()` throws: a missing Redis fails there, test by test.
 */
export class RedisFixture {
  private redis: TestRedis | undefined;
  private missing = false;

  constructor(private readonly what: string) {}

  async start(): Promise<void> {
    const fromEnv = process.env['PCR_REDIS_URL'];
    if (fromEnv) {
      const url = new URL(fromEnv);
      this.redis = {
        url: fromEnv,
        host: url.hostname,
        port: Number(url.port || 6379),
        async stop() {},
      };
      return;
    }
    this.redis = await spawnRedisServer();
    if (!this.redis) this.missing = true;
  }

  /** True when no Redis could be had and none is required (outside CI): skip the tests that need one. */
  get skip(): boolean {
    return this.missing && !required();
  }

  get(): TestRedis | undefined {
    if (this.missing && required()) {
      throw new Error(`redis-server unavailable and PCR_REDIS_URL unset: ${this.what} cannot run in CI`);
    }
    return this.redis;
  }

  async stop(): Promise<void> {
    await this.redis?.stop();
  }
}

/** An ioredis client configured as docs/redis.md advises, connected (waits for `ready`). */
export async function connectClient(
  target: { host: string; port: number },
  options: RedisOptions = {},
): Promise<Redis> {
  const client = new Redis({
    host: target.host,
    port: target.port,
    enableOfflineQueue: false,
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 50,
    ...options,
  });
  client.on('error', () => undefined);
  if (client.status !== 'ready') await once(client, 'ready');
  return client;
}

/** A TCP proxy in front of Redis that can be taken down (every socket destroyed) and brought back. */
export interface RedisProxy {
  readonly host: string;
  readonly port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedisProxy(target: { host: string; port: number }): Promise<RedisProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const up = async () => {
    if (server) return;
    const s = createServer((socket) => {
      const upstream = tcpConnect(target.port, target.host);
      sockets.add(socket);
      sockets.add(upstream);
      const drop = () => {
        socket.destroy();
        upstream.destroy();
        sockets.delete(socket);
        sockets.delete(upstream);
      };
      socket.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      socket.pipe(upstream).pipe(socket);
    });
    s.listen(port, '127.0.0.1');
    await once(s, 'listening');
    server = s;
  };
  const down = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await up();
  return { host: '127.0.0.1', port, up, down, close: down };
}
