import type { Compressor } from '@export-service/export-core';

/** No outer compression: bytes pass straight through. */
export const noneCompressor: Compressor = {
  compression: 'none',
  extension: null,
  encryptsInside: false,
  open: (next) => next,
  maxOutput: (n) => n,
};
