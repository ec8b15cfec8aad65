import type { SeededRandom } from './rng.js';
import type { FaultMatch, FaultRule, FaultTrigger } from './scenario.js';

/** What a rule is matched against. */
export interface RequestFacts {
  readonly method: string;
  readonly path: string;
  /** Customer tenant id (lowercase) or undefined for the partner scope. */
  readonly customer: string | undefined;
  /** Ms since the scenario started. */
  readonly elapsedMs: number;
}

/** A matcher and trigger compiled once, with its own hit counter. */
export class CompiledTrigger {
  private hits = 0;
  private readonly method: string | undefined;
  private readonly path: RegExp | undefined;
  private readonly customer: string | undefined;

  constructor(
    match: FaultMatch | undefined,
    private readonly trigger: FaultTrigger,
  ) {
    this.method = match?.method?.toUpperCase();
    this.path = match?.path === undefined ? undefined : new RegExp(match.path);
    this.customer = match?.customer?.toLowerCase();
  }

  /**
   * Counts the hit when it matches (method, path, customer and time window) and tells whether the rule
   * fires: `times`, `every` and `probability` must all hold. The random source is drawn from only when the
   * other conditions hold, so the sequence of draws depends on the requests alone.
   */
  fires(facts: RequestFacts, random: SeededRandom): boolean {
    if (this.method !== undefined && facts.method !== this.method) return false;
    if (this.customer !== undefined && facts.customer !== this.customer) return false;
    if (this.path !== undefined && !this.path.test(facts.path)) return false;
    const { times, every, probability, fromMs, untilMs } = this.trigger;
    if (fromMs !== undefined && facts.elapsedMs < fromMs) return false;
    if (untilMs !== undefined && facts.elapsedMs >= untilMs) return false;
    this.hits++;
    if (times !== undefined && this.hits > times) return false;
    if (every !== undefined && this.hits % every !== 0) return false;
    if (probability !== undefined && random.next() >= probability) return false;
    return true;
  }
}

/** A fault rule ready to evaluate, with the name it is counted under in stats. */
export interface CompiledRule {
  readonly name: string;
  readonly rule: FaultRule;
  readonly trigger: CompiledTrigger;
}

/** Compiles the scenario's rules in order; unnamed rules are named `faults[i]`. */
export function compileRules(rules: readonly FaultRule[] | undefined): CompiledRule[] {
  return (rules ?? []).map((rule, index) => ({
    name: rule.name ?? `faults[${index}]`,
    rule,
    trigger: new CompiledTrigger(rule.match, rule),
  }));
}
