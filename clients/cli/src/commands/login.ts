import { normalizeUrl, readConfigFile, writeConfigFile } from '../config';
import type { Context } from '../context';
import { ExitCode, type ExitCodeValue, UsageError } from '../errors';
import { line, table } from '../io';
import { decodeToken, isExpired, redactToken } from '../token';

export async function loginCommand(
  context: Context,
  options: { token?: string; api?: string },
): Promise<ExitCodeValue> {
  const token = options.token ?? (context.io.env.SLUICE_TOKEN || undefined);
  if (!token && !options.api) throw new UsageError('Give --token <token> and/or --api <url>');
  if (token) {
    const info = decodeToken(token);
    if (isExpired(info)) throw new UsageError(`That token expired at ${info?.expiresAt?.toISOString()}`);
  }
  const file = context.config.configFile;
  const saved = readConfigFile(file);
  const next = {
    ...saved,
    ...(options.api ? { apiUrl: normalizeUrl(options.api, '--api') } : {}),
    ...(token ? { token } : {}),
  };
  writeConfigFile(file, next);
  if (context.json)
    line(context.io.stdout, JSON.stringify({ configFile: file, apiUrl: next.apiUrl ?? null }));
  else line(context.io.stdout, `Saved to ${file}${next.apiUrl ? ` (API ${next.apiUrl})` : ''}`);
  return ExitCode.ok;
}

export async function logoutCommand(context: Context): Promise<ExitCodeValue> {
  const file = context.config.configFile;
  const saved = readConfigFile(file);
  delete saved.token;
  writeConfigFile(file, saved);
  if (!context.json) line(context.io.stdout, `Removed the token from ${file}`);
  return ExitCode.ok;
}

/** What the CLI would use, and where each value comes from; the token is never shown whole. */
export async function configCommand(context: Context): Promise<ExitCodeValue> {
  const c = context.config;
  const info = c.token ? decodeToken(c.token.value) : undefined;
  const data = {
    apiUrl: c.apiUrl ? { value: c.apiUrl.value, source: c.apiUrl.source } : null,
    token: c.token
      ? {
          value: redactToken(c.token.value),
          source: c.token.source,
          tenantId: info?.tenantId ?? null,
          subject: info?.subject ?? null,
          expiresAt: info?.expiresAt?.toISOString() ?? null,
          expired: isExpired(info),
        }
      : null,
    awsEndpoint: c.awsEndpoint ? { value: c.awsEndpoint.value, source: c.awsEndpoint.source } : null,
    region: c.region,
    pipelineEventsTopicArn: c.pipelineEventsTopicArn?.value ?? null,
    configFile: c.configFile,
    localStack: c.localStateFile ?? null,
  };
  if (context.json) {
    line(context.io.stdout, JSON.stringify(data, null, 2));
    return ExitCode.ok;
  }
  const rows = [
    ['API', data.apiUrl ? `${data.apiUrl.value}  (${data.apiUrl.source})` : '(none)'],
    [
      'Token',
      data.token
        ? `${data.token.value}  (${data.token.source}; tenant ${data.token.tenantId ?? '?'}; ${
            data.token.expiresAt
              ? `${data.token.expired ? 'EXPIRED' : 'expires'} ${data.token.expiresAt}`
              : 'no expiry'
          })`
        : '(none)',
    ],
    [
      'AWS endpoint',
      data.awsEndpoint ? `${data.awsEndpoint.value}  (${data.awsEndpoint.source})` : '(AWS default)',
    ],
    ['Region', `${c.region.value}  (${c.region.source})`],
    ['Events topic', data.pipelineEventsTopicArn ?? '(none)'],
    ['Config file', data.configFile],
    ['Local stack', data.localStack ?? '(none running)'],
  ];
  line(context.io.stdout, table(rows));
  return ExitCode.ok;
}
