import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isPartnerCenterError, paginate, pollOperation } from '../../../src/index.js';
import { attachScripted, useFakeClock } from '../../helpers/attachScripted.js';
import { capture, settle } from '../../helpers/settle.js';

useFakeClock();

const SECRET = 'sk-live-7f3a9c1e5b2d4f60';

/** Everything a log line could show of an error. */
function shown(error: unknown): string {
  return `${String(error)}\n${JSON.stringify(error)}\n${inspect(error, { depth: 8 })}`;
}

describe("the workflows' own errors use the instance's sanitizer", () => {
  it("a malformed page requested under a path holding a value of the instance's secrets option never shows it", async () => {
    const { handle } = attachScripted([{ status: 200, data: { note: `reference ${SECRET}`, pageSize: 2 } }], {
      secrets: [SECRET],
    });
    const { error } = await settle(
      paginate(handle, `/v1/reports/${SECRET}/rows?size=2`).pages()[Symbol.asyncIterator]().next(),
    );
    expect(isPartnerCenterError(error)).toBe(true);
    expect(shown(error)).not.toContain(SECRET);
  });

  it("a failed operation's body quoting such a value never shows it", async () => {
    const { handle } = attachScripted(
      [{ status: 200, data: { status: 'failed', error: { code: 'E1', message: `bad key ${SECRET}` } } }],
      { secrets: [SECRET] },
    );
    const { error } = await capture(pollOperation(handle, '/v1/operations/1'));
    expect(isPartnerCenterError(error) && error.kind).toBe('operation-failed');
    expect(shown(error)).not.toContain(SECRET);
  });

  it("an onPage hook's error quoting such a value never shows it", async () => {
    const { handle } = attachScripted([{ status: 200, data: { items: [{ id: 'a' }] } }], {
      secrets: [SECRET],
    });
    const pages = paginate(handle, '/v1/customers?size=2', {
      onPage: () => {
        throw new Error(`export failed for ${SECRET}`);
      },
    });
    const { error } = await settle(pages.pages()[Symbol.asyncIterator]().next());
    expect(isPartnerCenterError(error) && error.kind).toBe('unknown');
    expect(shown(error)).not.toContain(SECRET);
    expect(shown(error)).toContain('export failed for');
  });
});
