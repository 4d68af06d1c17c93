/**
 * Words of a text as the search index sees them: Unicode letters and digits, lowercased, accents
 * removed (é → e), so that "Café" and "cafe" meet. Shared by the local embedder and the in-memory
 * baseline so that both tokenize like SQLite FTS5's unicode61 tokenizer with remove_diacritics.
 */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** 32-bit FNV-1a over a string's UTF-16 units. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The feature-hashing trick over words and character trigrams: each feature lands in one of
 * `size` buckets with a sign taken from its hash, weighted 1 + ln(count). Similar spellings share
 * trigrams, so "sunset" is close to "sunsets"; nothing here knows that "dog" is near "puppy".
 */
export function hashedTextFeatures(text: string, size: number): Float32Array {
  const counts = new Map<string, number>();
  const add = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
  for (const word of tokenize(text)) {
    add(`w:${word}`);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`);
  }
  const out = new Float32Array(size);
  for (const [feature, count] of counts) {
    const hash = fnv1a(feature);
    const bucket = hash % size;
    const sign = (hash >>> 31) & 1 ? -1 : 1;
    out[bucket] = (out[bucket] as number) + sign * (1 + Math.log(count));
  }
  return out;
}
