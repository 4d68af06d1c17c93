/** Why a request to the Sluice API did not give an answer the caller can use. */
export type SluiceErrorKind = 'unreachable' | 'auth' | 'api' | 'protocol';

export class SluiceApiError extends Error {
  constructor(
    readonly kind: SluiceErrorKind,
    message: string,
    /** HTTP status, when the API answered. */
    readonly status?: number,
    /** The `error.code` of the API's `{ error: { code, message } }` body, or API Gateway's wording. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SluiceApiError';
  }
}
