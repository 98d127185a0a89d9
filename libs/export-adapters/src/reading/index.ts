export * from './decode-export-file';
export * from './unreadable-file';
export * from './csv-field';
export { jsonDocuments } from './json-elements';
export { ZipReader } from './zip-reader';
