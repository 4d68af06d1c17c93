/**
 * A request the delivery service refuses or cannot serve, answered with its status and
 * `{ "error": { "code", "message" } }` (api-error/v1). Codes are stable and kebab-case.
 */
export class DeliveryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. Retry-After or Allow. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export const badRequest = (code: string, message: string) => new DeliveryError(400, code, message);
export const forbidden = (code: string, message: string) => new DeliveryError(403, code, message);
export const notFound = (code: string, message: string) => new DeliveryError(404, code, message);
