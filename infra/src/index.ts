export { type BuildOptions, buildSluice, type SluiceStacks } from './app';
export { readConfig, type SluiceConfig } from './config';
export { Names } from './naming';
