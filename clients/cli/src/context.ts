import { SluiceClient } from '@sluice/client';
import { type GlobalOptions, type ResolvedConfig, resolveConfig } from './config';
import { AuthError, CliError, ExitCode, LOGIN_HINT } from './errors';
import type { Io } from './io';
import { decodeToken, isExpired } from './token';

export interface Context {
  io: Io;
  config: ResolvedConfig;
  json: boolean;
}

export function createContext(io: Io, options: GlobalOptions & { json?: boolean }): Context {
  return { io, config: resolveConfig(options, io.env, io.cwd), json: options.json === true };
}

/** The API client, once the API URL and a usable token are known; clear errors when they are not. */
export function apiClient(context: Context): SluiceClient {
  const { apiUrl, token } = context.config;
  if (!apiUrl) {
    throw new CliError(
      'No API URL configured',
      ExitCode.usage,
      'Pass --api <url>, set SLUICE_API_URL, run `sluice login --api <url>`, or start the local stack with `npm start`.',
    );
  }
  if (!token) throw new AuthError('No token configured');
  const info = decodeToken(token.value);
  if (isExpired(info)) {
    throw new AuthError(
      `The token (from ${token.source}) expired at ${info?.expiresAt?.toISOString()}`,
      token.source === 'local stack'
        ? 'Restart the local stack (`npm start`) for a new dev token.'
        : `Get a new token. ${LOGIN_HINT}`,
    );
  }
  return new SluiceClient({ baseUrl: apiUrl.value, token: token.value });
}
