import { Agent } from 'node:http';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { afterEach } from 'vitest';
import {
  type PartnerCenterSimulator,
  type PartnerCenterSimulatorOptions,
  startPartnerCenterSimulator,
} from '../../../src/testing/index.js';

/** A clock tests move by hand. */
export interface ManualClock {
  readonly now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function manualClock(start = 1_700_000_000_000): ManualClock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}

const open: { sim: PartnerCenterSimulator; agent: Agent }[] = [];

afterEach(async () => {
  for (const { sim, agent } of open.splice(0)) {
    agent.destroy();
    await sim.close();
  }
});

export interface Harness {
  readonly sim: PartnerCenterSimulator;
  readonly clock: ManualClock;
  /** axios on the simulator: never throws for a status, no retries, its own agent. */
  readonly api: AxiosInstance;
}

/** Starts a simulator on a manual clock, closed after the test. */
export async function harness(options: Omit<PartnerCenterSimulatorOptions, 'now'> = {}): Promise<Harness> {
  const clock = manualClock();
  const sim = await startPartnerCenterSimulator({ ...options, now: clock.now });
  const agent = new Agent({ keepAlive: true });
  open.push({ sim, agent });
  const api = axios.create({ baseURL: sim.url, httpAgent: agent, validateStatus: () => true, proxy: false });
  return { sim, clock, api };
}

/** Status, body and the headers a test usually looks at. */
export function summary(response: AxiosResponse): { status: number; body: unknown } {
  return { status: response.status, body: response.data };
}

export const OTHER_GUID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
