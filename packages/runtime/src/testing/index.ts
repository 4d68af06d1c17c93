export * from './in-memory-object-store';
export * from './recording-publisher';
