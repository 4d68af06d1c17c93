/**
 * Orders two S3 event sequencers for the same key: the greater hexadecimal value is the later
 * event. Values may differ in length, so they are compared as numbers (left-padded).
 */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padStart(width, '0');
  const right = b.toUpperCase().padStart(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}
