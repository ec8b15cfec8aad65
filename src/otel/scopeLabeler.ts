/** The label of every scope beyond the cap. */
export const OTHER_SCOPE_LABEL = 'other';

/**
 * Returns a function that maps a scope to a metric label: `map(scope)` for the first `max` distinct labels
 * seen, `'other'` for every label after them (and when `map` throws). Keeps metric cardinality bounded
 * however many tenants the process talks to.
 */
export function createScopeLabeler(max: number, map: (scope: string) => string): (scope: string) => string {
  const seen = new Set<string>();
  return (scope) => {
    let label: string;
    try {
      label = String(map(scope));
    } catch {
      return OTHER_SCOPE_LABEL;
    }
    if (seen.has(label)) return label;
    if (seen.size >= max) return OTHER_SCOPE_LABEL;
    seen.add(label);
    return label;
  };
}
