export const ARCHIVE_STORAGE_CLASSES = ['GLACIER_IR', 'DEEP_ARCHIVE', 'INTELLIGENT_TIERING'] as const;
export type ArchiveStorageClass = (typeof ARCHIVE_STORAGE_CLASSES)[number];
