import { ConfigError } from '@sluice/runtime';
import { HttpError } from './http-error';

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const PATTERN = /^([a-z0-9][a-z0-9!#$&^_.+-]{0,126}|\*)\/([a-z0-9][a-z0-9!#$&^_.+-]{0,126}|\*)$/;

/**
 * Which declared content types uploads may have: exact types (`application/pdf`), families
 * (`image/*`) or everything (`*\/*`). Media types compare case-insensitively (RFC 6838).
 */
export class ContentTypePolicy {
  private constructor(readonly patterns: readonly string[]) {}

  /** From a comma-separated list, e.g. ALLOWED_CONTENT_TYPES. */
  static parse(list: string): ContentTypePolicy {
    const patterns = list
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean);
    if (patterns.length === 0) throw new ConfigError('ALLOWED_CONTENT_TYPES lists no content type');
    for (const pattern of patterns) {
      if (!PATTERN.test(pattern) || pattern.startsWith('*/') !== (pattern === '*/*')) {
        throw new ConfigError(`ALLOWED_CONTENT_TYPES: "${pattern}" is not a type/subtype, type/* or */*`);
      }
    }
    return new ContentTypePolicy(patterns);
  }

  allows(contentType: string): boolean {
    const type = contentType.toLowerCase();
    if (!MEDIA_TYPE.test(type)) return false;
    return this.patterns.some(
      (pattern) =>
        pattern === '*/*' ||
        pattern === type ||
        (pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1))),
    );
  }

  /** Throws 415 unsupported-media-type with the allowed list, unless contentType is allowed. */
  assertAllowed(contentType: string): void {
    if (!this.allows(contentType)) {
      throw new HttpError(
        415,
        'unsupported-media-type',
        `Content type "${contentType}" is not accepted; allowed: ${this.patterns.join(', ')}`,
      );
    }
  }
}
