export * from './compression';
export * from './formats';
export { LocalArtifactStore } from './storage/local.store';
export { openpgpEncryptor } from './crypto/openpgp.encryptor';
