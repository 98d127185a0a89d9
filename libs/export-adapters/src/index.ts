export * from './compression';
export * from './formats';
export * from './storage';
export { openpgpEncryptor } from './crypto/openpgp.encryptor';
export * from './reading';
export * from './delivery';
export * from './s3';
