import type { LimiterSettings, LimitPlan } from '../../stores/rateLimitProtocol.js';
import type { BoundedMap } from './boundedMap.js';
import type { LevelState } from './levelState.js';

/** A partner's learnt rate counts as holding calls back this long after it last made a call wait (ms). */
export const PARTNER_BOUND_MS = 1000;

/**
 * How long (ms) past its Retry-After a tenant's 429 waits for another to tell whose quota it was (see
 * {@link attribute}).
 */
export const CANDIDATE_MS = 1000;

/**
 * `throttleLevel: 'auto'`: whose quota a throttle charged to a tenant was. The tenant's, unless the partner's
 * learnt rate holds calls back (it made a call wait within {@link PARTNER_BOUND_MS}: the partner's quota may
 * be the one at its limit, and lowering the tenant would starve it). Then a single 429 cannot tell: it is
 * only measured (`'unknown'`) and kept as the partner's candidate until its Retry-After and a second more
 * have passed. A 429 of another tenant within that time tells that the quota is shared (`'partner'`: a
 * partner's quota throttles whichever tenant calls); another of the same tenant tells that the quota is its
 * own (`'tenant'`). A 429 of a request sent during the partner's quiet time is a consequence of its last
 * decrease (`'unknown'`), and a Retry-After longer than `maxPartnerQuietMs` is always the tenant's.
 * `partnerLevels`: the partner levels' states.
 */
export function attribute(
  partnerLevels: BoundedMap<LevelState>,
  plan: LimitPlan,
  settings: LimiterSettings,
  now: number,
  quietMs: number,
  sentAt: number,
): 'tenant' | 'partner' | 'unknown' {
  if (!settings.blameBoundPartner || quietMs > settings.maxPartnerQuietMs) return 'tenant';
  const first = plan.levels[0] as (typeof plan.levels)[number];
  if (first.level !== 'partner') return 'tenant';
  const partner = partnerLevels.get(first.key);
  if (partner?.bucket === undefined || now - partner.boundAt > PARTNER_BOUND_MS) return 'tenant';
  if (partner.adaptive !== undefined && sentAt < partner.adaptive.quietUntil) return 'unknown';
  const candidate = partner.candidate;
  if (candidate !== undefined && now <= partner.candidateUntil) {
    partner.candidate = undefined;
    return candidate === plan.customer ? 'tenant' : 'partner';
  }
  partner.candidate = plan.customer;
  partner.candidateUntil = now + quietMs + CANDIDATE_MS;
  return 'unknown';
}
