// Runs the Partner Center simulator in a child process, so the server's work never shares the event loop
// (or the CPU time slice) of the client being measured. One child serves one simulator at a time.
//
//   const host = await createSimulatorHost();
//   const sim = await host.start(scenario, seed); // { url, customerIds }; a third argument { logLimit }
//   ... drive clients against sim.url ...
//   const stats = await host.stop();              // the simulator's stats() without its log
//   const stats = await host.stop({ log: true }); // with `log` ({ atMs, status, scope, beforeDeadline }
//                                                 // per hit) and `startedAt` (epoch ms of atMs 0)
//   await host.shutdown();
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === 'simulator-child') await child();

/** Starts the child process and returns its controller. */
export async function createSimulatorHost() {
  const proc = fork(self, ['simulator-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  proc.on('message', (message) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result);
  });
  proc.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`simulator child exited (${code})`));
    pending.clear();
  });
  const call = (command, payload) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      proc.send({ id, command, payload });
    });
  await call('ping');
  return {
    start: (scenario, seed, { logLimit = 0 } = {}) => call('start', { scenario, seed, logLimit }),
    stop: ({ log = false } = {}) => call('stop', { log }),
    async shutdown() {
      if (proc.exitCode !== null) return;
      proc.send({ id: 0, command: 'exit' });
      await once(proc, 'exit');
    },
  };
}

async function child() {
  const { startPartnerCenterSimulator } = await import('../../dist/testing.js');
  let sim;
  const handlers = {
    ping: () => 'pong',
    async start({ scenario, seed, logLimit }) {
      if (sim) await sim.close();
      sim = await startPartnerCenterSimulator({ scenario, seed, logLimit });
      return { url: sim.url, customerIds: sim.customerIds };
    },
    async stop({ log: withLog }) {
      if (!sim) throw new Error('no simulator running');
      const { log, ...stats } = sim.stats();
      const startedAt = Date.now() - stats.elapsedMs;
      await sim.close();
      sim = undefined;
      if (!withLog) return stats;
      const entries = log.map(({ atMs, status, scope, beforeDeadline }) => ({
        atMs,
        status,
        scope,
        beforeDeadline,
      }));
      return { ...stats, startedAt, log: entries };
    },
  };
  process.on('disconnect', () => process.exit(0));
  process.on('message', async ({ id, command, payload }) => {
    if (command === 'exit') {
      if (sim) await sim.close();
      process.exit(0);
    }
    try {
      process.send({ id, result: await handlers[command](payload) });
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) });
    }
  });
}
