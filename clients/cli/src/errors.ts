import { SluiceApiError } from '@sluice/client';

/**
 * Exit codes, documented in the README and `sluice --help`: scripts branch on them.
 *   0 success · 1 something failed (an upload, a rejected file, a failed request) · 2 usage error
 *   3 the API or AWS endpoint is unreachable · 4 authentication (no token, expired, refused)
 *   5 not found · 6 timed out waiting for the pipeline
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  auth: 4,
  notFound: 5,
  timeout: 6,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: its message is printed as is, with a hint, and the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.failed,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
    this.name = 'UsageError';
  }
}

export const LOGIN_HINT =
  'Run `sluice login --token <token>` (or set SLUICE_TOKEN); locally, `npm start` prints a dev token and the CLI picks it up.';

export class AuthError extends CliError {
  constructor(message: string, hint = LOGIN_HINT) {
    super(message, ExitCode.auth, hint);
    this.name = 'AuthError';
  }
}

/** Maps the API client's errors to exit codes and hints. */
export function toCliError(error: unknown, apiUrl?: string): unknown {
  if (!(error instanceof SluiceApiError)) return error;
  switch (error.kind) {
    case 'unreachable':
      return new CliError(
        error.message,
        ExitCode.unreachable,
        /\/\/(127\.0\.0\.1|localhost)[:/]/.test(apiUrl ?? error.message)
          ? 'Is the local stack running? Start it with `npm start` in the repository.'
          : 'Check the URL (--api, SLUICE_API_URL or `sluice login --api`) and your network.',
      );
    case 'auth':
      return new AuthError(
        error.message,
        error.code === 'token-expired' ? `Get a new token. ${LOGIN_HINT}` : LOGIN_HINT,
      );
    default:
      return new CliError(
        error.status
          ? `${error.message} (HTTP ${error.status}${error.code ? `, ${error.code}` : ''})`
          : error.message,
        error.status === 404 && error.code !== 'no-route' ? ExitCode.notFound : ExitCode.failed,
        error.code === 'no-route'
          ? 'This API does not offer that yet, or the URL points at something else.'
          : undefined,
      );
  }
}
