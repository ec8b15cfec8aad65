import { describe, expect, it } from 'vitest';
import { PartnerCenterError } from '../../../../src/errors/PartnerCenterError.js';
import { isPaginationError, PaginationError } from '../../../../src/workflows/pagination/PaginationError.js';

describe('PaginationError', () => {
  const position = {
    pageIndex: 3,
    resumeFrom: { uri: '/v1/c', method: 'GET', headers: { 'MS-ContinuationToken': 'secret-ish' } },
    continuation: undefined,
  };
  it('is a PartnerCenterError that keeps its position through with(), and prints no token', () => {
    const error = new PaginationError({ kind: 'client', retryable: false, reason: 'bad page' }, position);
    expect(PartnerCenterError.is(error)).toBe(true);
    expect(isPaginationError(error)).toBe(true);
    expect(isPaginationError(new PartnerCenterError({ kind: 'client', retryable: false }))).toBe(false);
    const copy = error.with({ attempts: 2 });
    expect(copy).toBeInstanceOf(PaginationError);
    expect(copy.pageIndex).toBe(3);
    expect(copy.resumeFrom).toBe(position.resumeFrom);
    expect(copy.attempts).toBe(2);
    expect(JSON.stringify(error)).toContain('"pageIndex":3');
    expect(JSON.stringify(error)).not.toContain('secret-ish');
  });
});
