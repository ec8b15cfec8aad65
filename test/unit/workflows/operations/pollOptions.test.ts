import type { AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import { defaultOperationState } from '../../../../src/workflows/operations/pollOptions.js';

describe('defaultOperationState', () => {
  const answer = (status: number, data: unknown) => ({ status, data }) as AxiosResponse;
  it.each([
    [202, '', 'running'],
    [202, { status: 'succeeded' }, 'running'],
    [200, { status: 'NotStarted' }, 'running'],
    [200, { status: 'In Progress' }, 'running'],
    [200, { status: 'registering' }, 'running'],
    [200, { status: 'Accepted' }, 'running'],
    [200, { status: 'pending' }, 'running'],
    [201, { status: 'Failed' }, 'failed'],
    [200, { status: 'canceled' }, 'failed'],
    [200, { status: 'registered' }, 'done'],
    [200, { status: 3 }, 'done'],
    [204, '', 'done'],
    [200, ['running'], 'done'],
  ])('%s %j -> %s', (status, data, expected) => {
    expect(defaultOperationState(answer(status, data))).toBe(expected);
  });
});
