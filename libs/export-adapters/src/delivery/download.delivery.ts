import type { DeliveryTarget } from '@export-service/export-core';

/** The download "target": the files are already downloadable from the API, so it is delivered at once. */
export const downloadDelivery: DeliveryTarget<'download'> = {
  async deliver(request) {
    return { location: request.statusUrl };
  },
};
