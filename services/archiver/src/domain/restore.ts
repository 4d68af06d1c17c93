import { RESTORE_REQUIRED_CLASSES } from './storage-class';

export const RESTORE_TIERS = ['Expedited', 'Standard', 'Bulk'] as const;
export type RestoreTier = (typeof RESTORE_TIERS)[number];
export const DEFAULT_RESTORE_TIER: RestoreTier = 'Standard';
export const DEFAULT_RESTORE_DAYS = 7;
export const MAX_RESTORE_DAYS = 365;

/** Intelligent-Tiering's opt-in archive tiers, as HeadObject's x-amz-archive-status names them. */
export type ArchiveAccessStatus = 'ARCHIVE_ACCESS' | 'DEEP_ARCHIVE_ACCESS';

/** What HeadObject tells about an archived object's readability. */
export interface ArchivedObjectState {
  storageClass: string;
  size: number;
  eTag?: string;
  versionId?: string;
  /** x-amz-restore, parsed: present once a restore was requested. */
  restore?: { ongoing: boolean; expiresAt?: string };
  /** x-amz-archive-status: an Intelligent-Tiering object in an archive tier. */
  archiveStatus?: ArchiveAccessStatus;
}

/**
 * available: GetObject works now (GLACIER_IR, INTELLIGENT_TIERING outside its archive tiers, …).
 * archived: in GLACIER / DEEP_ARCHIVE / an Intelligent-Tiering archive tier; a restore is needed.
 * restoring: a restore is under way.
 * restored: a temporary copy is readable until restoreExpiresAt.
 */
export type Availability = 'available' | 'archived' | 'restoring' | 'restored';

export function availabilityOf(state: ArchivedObjectState): Availability {
  if (state.restore?.ongoing) return 'restoring';
  const needsRestore =
    RESTORE_REQUIRED_CLASSES.includes(state.storageClass) || state.archiveStatus !== undefined;
  if (!needsRestore) return 'available';
  return state.restore && !state.restore.ongoing ? 'restored' : 'archived';
}

/**
 * Parses x-amz-restore: `ongoing-request="true"` while restoring, then
 * `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"`.
 */
export function parseRestoreHeader(header: string | undefined): ArchivedObjectState['restore'] {
  if (!header) return undefined;
  const ongoing = /ongoing-request\s*=\s*"true"/i.test(header);
  const expiry = /expiry-date\s*=\s*"([^"]+)"/i.exec(header)?.[1];
  const expiresAt = expiry && !Number.isNaN(Date.parse(expiry)) ? new Date(expiry).toISOString() : undefined;
  return expiresAt ? { ongoing, expiresAt } : { ongoing };
}

/** A restore request a caller got wrong: a 400 with this code and message. */
export class RestoreRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RestoreRequestError';
  }
}

export interface RestoreParameters {
  tier: RestoreTier;
  /** Days the restored copy stays readable; absent for Intelligent-Tiering (its objects move back). */
  days?: number;
}

/** The RestoreObject parameters for a request, checked against what the object's class allows. */
export function restoreParameters(
  state: ArchivedObjectState,
  request: { tier?: string; days?: number },
): RestoreParameters {
  const tier = (request.tier ?? DEFAULT_RESTORE_TIER) as RestoreTier;
  if (!RESTORE_TIERS.includes(tier)) {
    throw new RestoreRequestError('invalid-tier', `tier must be one of ${RESTORE_TIERS.join(', ')}`);
  }
  const days = request.days ?? DEFAULT_RESTORE_DAYS;
  if (!Number.isSafeInteger(days) || days < 1 || days > MAX_RESTORE_DAYS) {
    throw new RestoreRequestError('invalid-days', `days must be an integer from 1 to ${MAX_RESTORE_DAYS}`);
  }
  if (tier === 'Expedited' && (state.storageClass === 'DEEP_ARCHIVE' || state.archiveStatus)) {
    throw new RestoreRequestError(
      'tier-unavailable',
      `Expedited retrieval is not available for ${state.archiveStatus ?? state.storageClass}; use Standard or Bulk`,
    );
  }
  // Intelligent-Tiering restores move the object back to its frequent tier: S3 refuses Days.
  return state.archiveStatus ? { tier } : { tier, days };
}
