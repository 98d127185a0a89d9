export * from './byte-sink';
export * from './row-source';
export * from './encoder';
export * from './compressor';
export * from './artifact-store';
export * from './progress';
export * from './delivery';
