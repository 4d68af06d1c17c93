/**
 * Output formats and content negotiation. `auto` picks AVIF, then WebP, from what the client says it
 * accepts (named explicitly, with a quality above 0: `image/*` and `*\/*` do not count, since every
 * browser sends them, AVIF-capable or not), then JPEG, which every client decodes.
 */
export const OUTPUT_FORMATS = ['webp', 'jpeg', 'avif', 'png'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export type RequestedFormat = OutputFormat | 'auto';

export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}

/** Preference of `auto`, best first: smallest files for the same look. */
const AUTO_PREFERENCE: readonly OutputFormat[] = ['avif', 'webp', 'jpeg', 'png'];
/** Formats a client gets without naming them. */
const UNIVERSAL: ReadonlySet<OutputFormat> = new Set(['jpeg', 'png']);

/** The media types an Accept header names with a quality above 0, lowercased. */
export function acceptedTypes(accept: string | undefined): Set<string> {
  const types = new Set<string>();
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    if (!type) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (Number.isFinite(quality) && quality > 0) types.add(type.trim());
  }
  return types;
}

/**
 * The format `auto` resolves to for this Accept header among `available` (a preset's formats; all
 * by default): AVIF or WebP when the client names it, else JPEG, else PNG, else the first available.
 */
export function negotiateFormat(
  accept: string | undefined,
  available: readonly OutputFormat[] = OUTPUT_FORMATS,
): OutputFormat {
  const accepted = acceptedTypes(accept);
  for (const format of AUTO_PREFERENCE) {
    if (!available.includes(format)) continue;
    if (UNIVERSAL.has(format) || accepted.has(`image/${format}`)) return format;
  }
  return available[0] ?? 'jpeg';
}
