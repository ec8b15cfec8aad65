/** The fields a default message is built from. */
interface MessageFields {
  readonly kind: string;
  readonly status?: number | undefined;
  readonly code?: string | undefined;
  readonly description?: string | undefined;
  readonly reason?: string | undefined;
  readonly method?: string | undefined;
  readonly requestId?: string | undefined;
  readonly attempts?: number | undefined;
  readonly outcomeUnknown?: boolean | undefined;
}

/** The message of an error built without one: kind, status, code, detail, then where and how often. */
export function defaultMessage(init: MessageFields, url: string | undefined): string {
  const parts: string[] = [`Partner Center ${init.kind}`];
  if (init.status !== undefined) parts.push(String(init.status));
  if (init.code !== undefined) parts.push(`code ${init.code}`);
  let head = parts.join(' ');
  const detail = init.description ?? init.reason;
  if (detail) head += `: ${detail}`;
  const where: string[] = [];
  if (init.method || url) where.push([init.method?.toUpperCase(), url].filter(Boolean).join(' '));
  if (init.requestId) where.push(`MS-RequestId ${init.requestId}`);
  if (init.attempts !== undefined && init.attempts > 1) where.push(`after ${init.attempts} attempts`);
  if (init.outcomeUnknown) where.push('outcome unknown: the request may have been processed');
  return where.length > 0 ? `${head} (${where.join(', ')})` : head;
}
