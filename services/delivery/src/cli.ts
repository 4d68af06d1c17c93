/*
 * Signing keys and signed URLs, for operators and local development:
 *
 *   npm run keys -w @sluice/delivery -- rotate [--keep 2] [--secret-id ID] [--aws]
 *   npm run sign -w @sluice/delivery -- <assetId> --w 640 [--h 480] [--fit cover] [--format webp]
 *                                       [--q 70] [--ttl 3600] [--base-url URL] [--secret-id ID] [--aws]
 *
 * `rotate` adds a new random key to the delivery-signing-keys/v1 secret and makes it current, keeping
 * the newest `--keep` keys (default 2: the new one and the one before, so URLs signed before the
 * rotation keep working until they expire); it creates the secret if there is none. The delivery
 * function re-reads the secret within DELIVERY_SIGNING_KEYS_TTL_SECONDS. `sign` prints a signed
 * ad-hoc URL. With a local stack running (.sluice/local.json) both talk to its emulator and URL;
 * with --aws, to AWS with the default credentials. The secret id defaults to the topology's.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type DeliverySigningKeys, topology } from '@sluice/contracts';
import { FITS, type Fit } from './domain/request';
import { parseKeyring } from './domain/signature';
import { signedTransformUrl } from './domain/urls';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'secret-id': { type: 'string' },
    aws: { type: 'boolean', default: false },
    keep: { type: 'string', default: '2' },
    w: { type: 'string' },
    h: { type: 'string' },
    fit: { type: 'string' },
    format: { type: 'string', default: 'auto' },
    q: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
    'base-url': { type: 'string' },
  },
});

interface LocalState {
  awsEndpoint: string;
  region: string;
  functionUrls?: Record<string, string>;
}

function localState(): LocalState | undefined {
  if (values.aws) return undefined;
  const file = path.resolve(__dirname, '../../../.sluice/local.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalState) : undefined;
}

function topologySecretId(): string | undefined {
  const ref = topology.services.delivery?.environment.DELIVERY_SIGNING_KEYS_SECRET_ID;
  return ref && 'value' in ref ? ref.value : undefined;
}

const local = localState();
const secretId = values['secret-id'] ?? topologySecretId();
if (!secretId) throw new Error('No --secret-id, and the topology names none');
const client = new SecretsManagerClient(
  local
    ? {
        endpoint: local.awsEndpoint,
        region: local.region,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }
    : {},
);

async function currentKeys(): Promise<DeliverySigningKeys | undefined> {
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return JSON.parse(out.SecretString ?? 'null') as DeliverySigningKeys;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function rotate(): Promise<void> {
  const keep = Number(values.keep);
  if (!Number.isInteger(keep) || keep < 1 || keep > 10) throw new Error('--keep must be 1 to 10');
  const existing = await currentKeys();
  const id = `k${new Date()
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14)}`;
  const keys = { ...(existing?.keys ?? {}), [id]: randomBytes(32).toString('base64url') };
  // Key ids sort by creation time: keep the newest.
  const kept = Object.fromEntries(
    Object.entries(keys)
      .sort(([a], [b]) => (a < b ? 1 : -1))
      .slice(0, keep),
  );
  const doc: DeliverySigningKeys = { current: id, keys: kept };
  parseKeyring(doc);
  const secret = JSON.stringify(doc);
  if (existing) await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secret }));
  else await client.send(new CreateSecretCommand({ Name: secretId, SecretString: secret }));
  console.log(`${secretId}: current key ${id}; keys ${Object.keys(kept).join(', ')}`);
}

async function sign(): Promise<void> {
  const [assetId] = positionals.slice(1);
  if (!assetId)
    throw new Error('Usage: sign <assetId> --w N [--h N] [--fit F] [--format F] [--q N] [--ttl S]');
  const doc = await currentKeys();
  if (!doc)
    throw new Error(`No signing keys in ${secretId}: run "npm run keys -w @sluice/delivery -- rotate"`);
  const baseUrl = values['base-url'] ?? local?.functionUrls?.delivery;
  if (!baseUrl) throw new Error('No --base-url, and no local stack with a delivery URL');
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  if (values.fit && !(FITS as readonly string[]).includes(values.fit))
    throw new Error(`--fit: ${FITS.join(', ')}`);
  const url = signedTransformUrl(
    baseUrl,
    assetId,
    {
      width: number(values.w),
      height: number(values.h),
      fit: values.fit as Fit | undefined,
      format: values.format as never,
      quality: number(values.q),
    },
    Math.floor(Date.now() / 1000) + Number(values.ttl),
    parseKeyring(doc),
  );
  console.log(url);
}

const commands: Record<string, () => Promise<void>> = { rotate, sign };
const run = commands[positionals[0] ?? ''];
if (!run) {
  console.error('Commands: rotate, sign <assetId>');
  process.exit(2);
}
run().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
