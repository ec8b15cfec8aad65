import axios from 'axios';
import { describe, expect, it } from 'vitest';
import {
  attachResilience,
  InMemoryScopeStateStore,
  ResilienceOptionsError,
  type ScopeStateStore,
} from '../../src/index.js';

describe('a refused attach', () => {
  it('names a rule whose burst breaks the window promise at its path, and leaves nothing subscribed', () => {
    // A store that can report failures, counting its subscribers.
    const store: ScopeStateStore = new InMemoryScopeStateStore();
    let subscribed = 0;
    store.onFailure = () => {
      subscribed += 1;
      return () => {
        subscribed -= 1;
      };
    };
    const instance = axios.create();
    let thrown: unknown;
    try {
      attachResilience(instance, {
        store,
        rateLimit: { rules: [{ scope: 'customer', perMinute: 30, burst: 30 }] },
      });
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ResilienceOptionsError);
    expect((thrown as ResilienceOptionsError).issues).toEqual([
      expect.stringMatching(/^rateLimit\.rules\.0\.burst: must be less than perMinute \(30\), got 30/),
    ]);
    expect(subscribed).toBe(0);
    // The instance can be attached again with good options.
    const handle = attachResilience(instance, { store });
    expect(subscribed).toBe(1);
    handle.detach();
    expect(subscribed).toBe(0);
  });
});
