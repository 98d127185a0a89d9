import { Readable } from 'node:stream';
import type { RowChunk } from '@export-service/export-core';
import { CopyOutRows } from './copy-out-rows';

function message(code: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(code, 0, 'latin1');
  header.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const rows = ['1,alpha\n', '2,"quoted, with\nnewline"\n', '3,ünïcødé ✓\n', `4,${'x'.repeat(300)}\n`, '5,\n'];
const start = message('H', Buffer.from([0, 0, 2, 0, 0, 0, 0]));
const body = Buffer.concat(rows.map((row) => message('d', Buffer.from(row))));
const done = message('c', Buffer.alloc(0));
const tail = Buffer.concat([message('C', Buffer.from('COPY 5\0')), message('Z', Buffer.from('I'))]);
const error = message('E', Buffer.from('SERROR\0Mboom\0\0'));

/**
 * Drives CopyOutRows over an in-memory socket the way pg does: its `data` handler is taken over,
 * the socket is read until CopyDone, then handed back with everything unread.
 */
async function run(wire: Buffer, cuts: number[]): Promise<{ rows: string[]; handedBack: Buffer; error: Error | null }> {
  const socket = new Readable({ read: () => undefined });
  const handedBack: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => handedBack.push(chunk));
  const copy = new CopyOutRows('COPY x TO STDOUT', 64);
  copy.submit({ stream: socket, query: () => undefined });
  const received: string[] = [];
  let failure: Error | null = null;
  copy.on('data', (chunk: RowChunk) => {
    let from = 0;
    for (const end of chunk.ends) {
      received.push(chunk.data.subarray(from, end).toString('utf8'));
      from = end;
    }
  });
  const ended = new Promise<void>((resolve) => {
    copy.on('end', resolve);
    copy.on('error', (caught: Error) => {
      failure = caught;
      resolve();
    });
  });
  let from = 0;
  for (const cut of [...cuts, wire.length]) {
    socket.push(wire.subarray(from, cut));
    from = cut;
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (wire.includes(error)) copy.handleError(new Error('boom'));
  await ended;
  await new Promise((resolve) => setImmediate(resolve));
  return { rows: received, handedBack: Buffer.concat(handedBack), error: failure };
}

describe('CopyOutRows', () => {
  const wire = Buffer.concat([start, body, done, tail]);

  it('yields every row and hands pg back exactly what follows CopyDone, wherever the socket cuts', async () => {
    for (let cut = 1; cut < wire.length; cut += 1) {
      const result = await run(wire, [cut]);
      expect(result.rows).toEqual(rows);
      expect(result.handedBack.equals(tail)).toBe(true);
    }
  });

  it('survives a socket that delivers one byte at a time', async () => {
    const result = await run(
      wire,
      Array.from({ length: wire.length - 1 }, (_, i) => i + 1),
    );
    expect(result.rows).toEqual(rows);
    expect(result.handedBack.equals(tail)).toBe(true);
  });

  it('hands an ErrorResponse back to pg, wherever it is cut', async () => {
    const failing = Buffer.concat([start, body.subarray(0, message('d', Buffer.from(rows[0]!)).length), error, message('Z', Buffer.from('I'))]);
    for (let cut = 1; cut < failing.length; cut += 1) {
      const result = await run(failing, [cut]);
      expect(result.handedBack.equals(failing.subarray(failing.indexOf(error)))).toBe(true);
      expect(result.error?.message).toBe('boom');
    }
  });
});
