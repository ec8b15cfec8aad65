import { STATUS_CODES } from 'node:http';

/** The 502 page a gateway in front of Partner Center answers (from the real fixture). */
export const GATEWAY_502_HTML =
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';

/** What the simulator decided to send for one request. */
export type Answer =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly contentType: string;
      readonly body: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly reason: string;
      readonly delayMs: number;
      /**
       * The long-running operation whose polling this answer's `Retry-After` paces (a 202): the deadline is
       * set for that operation, not for the request's scope. Default: none (it is the scope's deadline).
       */
      readonly operation?: string;
    }
  | { readonly kind: 'hang-up'; readonly reason: string; readonly delayMs: number };

/** An answer that responds (not a hang-up). */
export type RespondAnswer = Extract<Answer, { readonly kind: 'respond' }>;

const DEFAULT_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'The request is not valid.',
  401: 'Partner Token missing in request context',
  403: 'The partner is not authorized to perform this operation.',
  404: 'The requested resource could not be found.',
  405: 'The requested method is not allowed on this resource.',
  409: 'The request conflicts with the current state of the resource.',
  500: 'An internal error occurred. Please try again later.',
  502: 'The gateway received an invalid response from the upstream service.',
  503: 'The service is temporarily unavailable. Please try again later.',
  504: 'The gateway timed out waiting for the upstream service.',
};

/** The description used when a rule gives none. */
export function defaultDescription(status: number): string {
  return DEFAULT_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? `HTTP ${status}`;
}

/** A JSON answer. */
export function json(
  status: number,
  body: unknown,
  reason: string,
  headers: Readonly<Record<string, string>> = {},
): RespondAnswer {
  return {
    kind: 'respond',
    status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(body),
    headers,
    reason,
    delayMs: 0,
  };
}

/** A Partner Center error answer: `{ code, description, data: [], source: 'PartnerFD' }`. */
export function partnerCenterError(
  status: number,
  code: number | string,
  description: string,
  reason: string,
  headers: Readonly<Record<string, string>> = {},
): Answer {
  return json(status, { code, description, data: [], source: 'PartnerFD' }, reason, headers);
}

/** The API gateway's throttling answer: `{ statusCode: 429, message }` with `Retry-After`. */
export function gatewayRateLimit(seconds: number, reason: string): Answer {
  return json(
    429,
    { statusCode: 429, message: `Rate limit is exceeded. Try again in ${seconds} seconds.` },
    reason,
    { 'Retry-After': String(seconds) },
  );
}

/** An HTML gateway page (the real 502 page for 502, a page in the same style for other statuses). */
export function htmlPage(status: number, reason: string): Answer {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  const body =
    status === 502
      ? GATEWAY_502_HTML
      : `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center></body></html>`;
  return { kind: 'respond', status, contentType: 'text/html', body, headers: {}, reason, delayMs: 0 };
}
