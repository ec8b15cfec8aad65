import type { PartnerCenterErrorInit } from './PartnerCenterError.js';

/** The message of an error built without one: kind, status, code, detail, then where and how often. */
export function defaultMessage(init: PartnerCenterErrorInit, url: string | undefined): string {
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
