/** Thrown at attach time for invalid options. */
export class ResilienceOptionsError extends TypeError {
  override readonly name = 'ResilienceOptionsError';
  /** One line per problem, each naming the option path. */
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`Invalid partner-center-resilience options:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.issues = issues;
  }
}
