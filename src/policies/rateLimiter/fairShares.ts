import type { LimitPlan } from '../../stores/rateLimitProtocol.js';
import { BoundedMap } from './boundedMap.js';
import { Waiting } from './levelState.js';
import { TokenBucket } from './tokenBucket.js';

/**
 * The customers' fair shares of their partner's limited rate (timer-free: every method takes `now`). Each
 * customer waiting for the partner's rate counts; a customer's share is the rate divided among them, its burst
 * alike. With `workConserving`, a share is a claim, not a cap: a customer whose share is spent may still take
 * a slot of the partner's rate that no customer with its share in hand waits for, so that what customers not
 * waiting leave unused goes to those that are (thousands of customers calling once or twice each do not each
 * hold back `1 / waiting` of the rate). Each map keeps at most `maxScopes` entries ({@link BoundedMap}).
 */
export class FairShares {
  private readonly shares: BoundedMap<TokenBucket>;
  /** Per partner, its customers waiting for its rate. */
  private readonly waiting: BoundedMap<Waiting>;
  /** Per partner, those of them whose share held a slot when they were told to wait (they go first). */
  private readonly inHand: BoundedMap<Waiting>;

  constructor(private readonly maxScopes: number) {
    this.shares = new BoundedMap(maxScopes);
    this.waiting = new BoundedMap(maxScopes);
    this.inHand = new BoundedMap(maxScopes);
  }

  /**
   * The customer's share of its partner's rate (`rate` calls/s, `capacity` tokens): the rate divided among the
   * customers waiting for it (this one included), its burst alike. A customer that has finished, or that waits
   * for limits of its own, holds no share; a lone customer may use the whole rate.
   */
  bucket(plan: LimitPlan, rate: number, capacity: number, now: number): TokenBucket {
    const customer = plan.customer as string;
    const others = this.waiting.get(plan.partner)?.others(customer, now) ?? 0;
    const shareRate = rate / (others + 1);
    const shareCapacity = others === 0 ? capacity : Math.max(1, (capacity * shareRate) / rate);
    const key = `${plan.partner}/${customer}`;
    let bucket = this.shares.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(shareRate, shareCapacity, now);
      this.shares.add(key, bucket);
    } else bucket.setRate(shareRate, shareCapacity, now);
    return bucket;
  }

  /** Whether a customer other than the plan's, with its share in hand, waits for the partner's rate at `now`. */
  othersInHand(plan: LimitPlan, now: number): boolean {
    const found = this.inHand.get(plan.partner);
    return found !== undefined && found.others(plan.customer as string, now) > 0;
  }

  /**
   * The plan's customer waits for its partner's rate until `until` (epoch ms); `inHand`: its share holds a slot
   * (only the partner's own rate holds it back).
   */
  wait(plan: LimitPlan, until: number, inHand: boolean): void {
    const customer = plan.customer as string;
    this.waitingOf(this.waiting, plan.partner).mark(customer, until, this.maxScopes);
    if (inHand) this.waitingOf(this.inHand, plan.partner).mark(customer, until, this.maxScopes);
  }

  /** The plan's customer took a slot: it waits with its share in hand no more. */
  took(plan: LimitPlan): void {
    this.inHand.peek(plan.partner)?.until.delete(plan.customer as string);
  }

  /** Customers of `partner` waiting for a share of its rate at `now` (tests and telemetry). */
  waitingCustomers(partner: string, now: number): number {
    return this.waiting.peek(partner)?.others('', now) ?? 0;
  }

  private waitingOf(map: BoundedMap<Waiting>, partner: string): Waiting {
    let found = map.get(partner);
    if (found === undefined) {
      found = new Waiting();
      map.add(partner, found);
    }
    return found;
  }
}
