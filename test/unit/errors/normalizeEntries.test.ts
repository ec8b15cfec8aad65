import { describe, expect, it } from 'vitest';
import { createErrorCodeTable, normalizeError as normalizeWithContext } from '../../../src/advanced.js';
import { normalizeError, PartnerCenterError } from '../../../src/index.js';

const conflict = {
  response: { status: 409, headers: {}, data: { code: 123456, description: 'Provisioning' } },
};

describe('normalizeError of the two entries', () => {
  it('main entry: the value only; an existing error is returned as it is', () => {
    const error = normalizeError(conflict);
    expect(error.kind).toBe('conflict');
    expect(error.code).toBe('123456');
    expect(error.retryable).toBe(false);
    const existing = new PartnerCenterError({ kind: 'server', retryable: true, status: 503 });
    expect(normalizeError(existing)).toBe(existing);
    // a second argument is not part of its signature, and is ignored
    const loose = normalizeError as (value: unknown, context?: unknown) => PartnerCenterError;
    expect(loose(existing, { attempts: 3 })).toBe(existing);
  });

  it('advanced entry: a context (a code table, the call fields)', () => {
    const codes = createErrorCodeTable({ '123456': { meaning: 'Still provisioning.', class: 'transient' } });
    const error = normalizeWithContext(conflict, { codes, scope: 'partner', attempts: 2 });
    expect(error.codeClass).toBe('transient');
    expect(error.retryable).toBe(true);
    expect(error.scope).toBe('partner');
    expect(error.attempts).toBe(2);
  });
});
