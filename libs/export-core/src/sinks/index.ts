export * from './duplex.sink';
export * from './counting.sink';
export * from './hashing.sink';
export * from './buffer.sink';
export * from './keep-open';
