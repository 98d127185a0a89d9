export * from './catalog';
export * from './catalog.types';
