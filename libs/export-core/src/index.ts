export * from './ports';
export * from './sinks';
export * from './pipeline';
