import { describe, expect, it } from 'vitest';
import { callInfoOf } from '../../../src/observability/callInfo.js';

describe('callInfoOf()', () => {
  it('copies the five call fields and nothing else', () => {
    const call = {
      requestId: 'r-1',
      correlationId: 'c-1',
      scope: 'customer:t-1',
      method: 'POST',
      url: 'https://api.partnercenter.microsoft.com/v1/customers?size=5',
      headers: { Authorization: 'Bearer secret' },
      data: '{"secret":"x"}',
    };
    const info = callInfoOf(call);
    expect(info).toEqual({
      requestId: 'r-1',
      correlationId: 'c-1',
      scope: 'customer:t-1',
      method: 'POST',
      url: 'https://api.partnercenter.microsoft.com/v1/customers?size=5',
    });
    expect(Object.keys(info)).toEqual(['requestId', 'correlationId', 'scope', 'method', 'url']);
    expect(info).not.toBe(call);
  });

  it("gives '' for each field the source does not know", () => {
    expect(callInfoOf({ scope: 'partner' })).toEqual({
      requestId: '',
      correlationId: '',
      scope: 'partner',
      method: '',
      url: '',
    });
    expect(callInfoOf({ requestId: undefined, method: 'GET' })).toEqual({
      requestId: '',
      correlationId: '',
      scope: '',
      method: 'GET',
      url: '',
    });
  });
});
