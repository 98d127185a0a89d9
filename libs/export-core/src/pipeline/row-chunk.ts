import type { RowChunk } from '../ports/row-source';

/** Bytes taken by the first `rows` rows. */
export function bytesOfRows(chunk: RowChunk, rows: number): number {
  return rows === 0 ? 0 : (chunk.ends[rows - 1] as number);
}

/** Cuts a chunk after its first `rows` rows. */
export function splitRows(chunk: RowChunk, rows: number): [RowChunk, RowChunk] {
  const cut = bytesOfRows(chunk, rows);
  const tailEnds = new Uint32Array(chunk.ends.length - rows);
  for (let i = 0; i < tailEnds.length; i += 1) tailEnds[i] = (chunk.ends[rows + i] as number) - cut;
  return [
    { data: chunk.data.subarray(0, cut), ends: chunk.ends.subarray(0, rows) },
    { data: chunk.data.subarray(cut), ends: tailEnds },
  ];
}

/** Largest number of leading rows `n` for which `fits(bytesOfRows(n))` holds; `fits` must be monotonic. */
export function rowsThatFit(chunk: RowChunk, fits: (bytes: number) => boolean): number {
  let low = 0;
  let high = chunk.ends.length;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (fits(bytesOfRows(chunk, middle))) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Builds a chunk from whole encoded rows (tests and small sources). */
export function chunkOf(rows: Array<string | Buffer>): RowChunk {
  const buffers = rows.map((row) => (typeof row === 'string' ? Buffer.from(row, 'utf8') : row));
  const ends = new Uint32Array(buffers.length);
  let offset = 0;
  buffers.forEach((buffer, index) => {
    offset += buffer.length;
    ends[index] = offset;
  });
  return { data: Buffer.concat(buffers), ends };
}
