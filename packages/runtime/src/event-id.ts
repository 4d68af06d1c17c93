import { createHash } from 'node:crypto';

/**
 * A deterministic pipeline event id (UUID layout, version 8 "custom"): the same announcement about
 * the same asset always gets the same id, so a service may announce again after a crash (or on a
 * replay) and consumers deduplicate on the id.
 */
export function deterministicEventId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
