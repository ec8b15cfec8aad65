import { describe, expect, it } from 'vitest';
import {
  chooseRule,
  DEFAULT_RATE_LIMIT_RULES,
  pathTemplate,
  ruleMatches,
} from '../../../../src/policies/rateLimiter/rules.js';

describe('rules', () => {
  it('match path templates segment by segment, parameters matching any segment', () => {
    const orders = {
      scope: 'customer',
      perMinute: 1,
      match: { path: '/v1/customers/{id}/orders', method: 'post' },
    } as const;
    expect(ruleMatches(orders, 'POST', '/v1/customers/{customerId}/orders/{orderId}')).toBe(true);
    expect(ruleMatches(orders, 'GET', '/v1/customers/{customerId}/orders')).toBe(false);
    expect(ruleMatches(orders, 'POST', '/v1/customers/{customerId}')).toBe(false);
  });

  it('the defaults charge each documented resource its own 500/min bucket; a user rule overrides', () => {
    const pick = (template: string, user = [] as const) =>
      chooseRule('customer', user, DEFAULT_RATE_LIMIT_RULES, 'GET', template)?.name;
    expect(pick('/v1/customers/{id}/subscriptions/{sid}')).toBe('subscriptions');
    expect(pick('/v1/customers/{id}/orders')).toBe('orders');
    expect(pick('/v1/customers/{id}')).toBe('customers');
    expect(pick('/v1/invoices')).toBeUndefined();
    const user = [{ scope: 'customer', perMinute: 60, name: 'mine' }] as const;
    expect(chooseRule('customer', user, DEFAULT_RATE_LIMIT_RULES, 'GET', '/v1/customers/{id}')?.name).toBe(
      'mine',
    );
  });
});

describe('pathTemplate', () => {
  it('turns ids, GUIDs, domains and offer ids into {id}, keeps words and versions, drops the query', () => {
    expect(pathTemplate('/v1/customers/4b3f8ba4-2c39-4a38-9a1b-0f6f3cf1a6e2/Subscriptions?size=5')).toBe(
      '/v1/customers/{id}/subscriptions',
    );
    expect(pathTemplate('/v1/domains/contoso.onmicrosoft.com')).toBe('/v1/domains/{id}');
    expect(pathTemplate('/v1/products/DZH318Z0BQ3Q/skus')).toBe('/v1/products/{id}/skus');
    expect(pathTemplate('')).toBe('/');
  });
});
