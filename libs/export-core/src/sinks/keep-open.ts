import type { ByteSink } from '../ports/byte-sink';

/** A view of `next` whose `end` does nothing: for a segment that ends before the file does. */
export function keepOpen(next: ByteSink): ByteSink {
  return {
    write: (chunk) => next.write(chunk),
    flush: () => next.flush(),
    end: async () => undefined,
    destroy: (error) => next.destroy(error),
  };
}
