/**
 * What each service does to which object keys: the input to its IAM policy. The topology says which
 * buckets a service is told about (its environment); it does not yet say which prefixes it touches,
 * so that part lives here, next to the key layout it mirrors (packages/runtime/src/keys.ts):
 *
 *   ingest     uploads/{tenantId}/{assetId}/{fileName}     quarantine/{tenantId}/{assetId}/{fileName}
 *   processed  renditions/{assetId}/...   manifests/{assetId}.json   index/{tenantId}/{assetId}.json
 *   archive    originals/{tenantId}/{assetId}/{fileName}
 *
 * A synth fails when a topology service has no entry here, or an entry names a bucket the service's
 * environment does not reference, so this file cannot silently drift from the topology.
 */
export type ObjectAction =
  /** GetObject (and HeadObject, which S3 authorizes as GetObject). */
  | 'read'
  /** PutObject, including a presigned POST signed with the function's credentials. */
  | 'write'
  | 'delete'
  /** Server-side copy source: a copy carries the source's tags along. */
  | 'copy-source'
  /** Server-side copy target. */
  | 'copy-target';

export interface PrefixGrant {
  bucket: string;
  /** A key prefix ending in '/'. */
  prefix: string;
  actions: ObjectAction[];
}

export interface ServiceAccess {
  objects: PrefixGrant[];
  /**
   * Buckets on which the service holds s3:ListBucket without a prefix condition. S3 answers a GET or
   * HEAD of a missing key with 404 only to callers allowed to list the bucket (403 otherwise), and
   * every service treats "missing" as a normal outcome (a replay after the object moved on). Listing
   * shows key names, never content.
   */
  notFoundOn: string[];
  /** ListObjectsV2 limited to a prefix (s3:prefix condition). */
  listPrefixes: { bucket: string; prefix: string }[];
}

export const SERVICE_ACCESS: Readonly<Record<string, ServiceAccess>> = {
  // HTTP API: signs presigned POSTs into uploads/, lists an asset's upload, reads its manifest and index document.
  ingest: {
    objects: [
      { bucket: 'ingest', prefix: 'uploads/', actions: ['write'] },
      { bucket: 'processed', prefix: 'manifests/', actions: ['read'] },
      { bucket: 'processed', prefix: 'index/', actions: ['read'] },
    ],
    notFoundOn: ['processed'],
    listPrefixes: [{ bucket: 'ingest', prefix: 'uploads/' }],
  },
  // Reads an upload, writes renditions then the manifest; a rejected upload moves to quarantine/.
  processor: {
    objects: [
      { bucket: 'ingest', prefix: 'uploads/', actions: ['read', 'delete', 'copy-source'] },
      { bucket: 'ingest', prefix: 'quarantine/', actions: ['write', 'delete', 'copy-target'] },
      { bucket: 'processed', prefix: 'renditions/', actions: ['write'] },
      { bucket: 'processed', prefix: 'manifests/', actions: ['write'] },
    ],
    notFoundOn: ['ingest'],
    listPrefixes: [],
  },
  // Reads a manifest, reads and writes the asset's index document.
  indexer: {
    objects: [
      { bucket: 'processed', prefix: 'manifests/', actions: ['read'] },
      { bucket: 'processed', prefix: 'index/', actions: ['read', 'write'] },
    ],
    notFoundOn: ['processed'],
    listPrefixes: [],
  },
  // Reads a manifest, copies the original into originals/ (checking it there), then deletes it from uploads/.
  archiver: {
    objects: [
      { bucket: 'processed', prefix: 'manifests/', actions: ['read'] },
      { bucket: 'ingest', prefix: 'uploads/', actions: ['read', 'delete', 'copy-source'] },
      { bucket: 'archive', prefix: 'originals/', actions: ['read', 'write', 'copy-target'] },
    ],
    notFoundOn: ['processed', 'ingest', 'archive'],
    listPrefixes: [],
  },
};

export const S3_ACTIONS: Readonly<Record<ObjectAction, readonly string[]>> = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject'],
  delete: ['s3:DeleteObject'],
  'copy-source': ['s3:GetObjectTagging'],
  'copy-target': ['s3:PutObjectTagging'],
};
