export * from './api-key';
export * from './password';
export * from './secret-box';
export * from './signed-link';
export * from './webhook-signature';
