/** Storage classes the archiver copies originals into (ARCHIVE_STORAGE_CLASS). */
export const ARCHIVE_STORAGE_CLASSES = ['GLACIER_IR', 'DEEP_ARCHIVE', 'INTELLIGENT_TIERING'] as const;
export type ArchiveStorageClass = (typeof ARCHIVE_STORAGE_CLASSES)[number];

/** Classes whose objects GetObject refuses (InvalidObjectState) until a restore completes. */
export const RESTORE_REQUIRED_CLASSES: readonly string[] = ['GLACIER', 'DEEP_ARCHIVE'];
