export { MemoryIndexStore } from '../stores/memory-index-store';
