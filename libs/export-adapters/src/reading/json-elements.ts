/**
 * Splits a JSON array (`json`) or JSON Lines (`jsonl`) byte stream into its top-level objects, each
 * written out compact (whitespace outside strings dropped) on a line of its own, so a loader can take
 * one document per line. Strings are copied byte for byte: numbers and text stay exactly as written.
 */
export async function* jsonDocuments(chunks: AsyncIterable<Buffer>, isArray: boolean): AsyncIterable<Buffer> {
  const OPEN_OBJECT = 0x7b;
  const CLOSE_OBJECT = 0x7d;
  const OPEN_ARRAY = 0x5b;
  const CLOSE_ARRAY = 0x5d;
  const QUOTE = 0x22;
  const BACKSLASH = 0x5c;
  const COMMA = 0x2c;
  let depth = 0;
  let isInString = false;
  let isEscaped = false;
  let arrayState: 'before' | 'inside' | 'after' = isArray ? 'before' : 'inside';
  let needsSeparator = false;
  let out = Buffer.allocUnsafe(256 * 1024);
  let length = 0;
  const push = (byte: number) => {
    if (length === out.length) {
      const bigger = Buffer.allocUnsafe(out.length * 2);
      out.copy(bigger, 0, 0, length);
      out = bigger;
    }
    out[length++] = byte;
  };
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i += 1) {
      const byte = chunk[i] as number;
      if (isInString) {
        push(byte);
        if (isEscaped) isEscaped = false;
        else if (byte === BACKSLASH) isEscaped = true;
        else if (byte === QUOTE) isInString = false;
        continue;
      }
      if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
      if (depth === 0) {
        if (arrayState === 'before') {
          if (byte !== OPEN_ARRAY) throw new Error('it does not start with a JSON array');
          arrayState = 'inside';
          continue;
        }
        if (arrayState === 'after') throw new Error('it has data after its JSON array');
        if (isArray && byte === CLOSE_ARRAY) {
          arrayState = 'after';
          continue;
        }
        if (isArray && byte === COMMA && needsSeparator) {
          needsSeparator = false;
          continue;
        }
        if (byte !== OPEN_OBJECT || (isArray && needsSeparator)) throw new Error(`it has ${JSON.stringify(String.fromCharCode(byte))} where a JSON object should start`);
      }
      push(byte);
      if (byte === QUOTE) isInString = true;
      else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth += 1;
      else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        depth -= 1;
        if (depth < 0) throw new Error('its JSON brackets do not match');
        if (depth === 0) {
          push(0x0a);
          needsSeparator = true;
        }
      }
    }
    if (length >= 256 * 1024 && depth === 0) {
      yield Buffer.from(out.subarray(0, length));
      length = 0;
    }
  }
  if (isInString || depth !== 0 || (isArray && arrayState !== 'after')) throw new Error('its JSON ends early (truncated)');
  if (length > 0) yield Buffer.from(out.subarray(0, length));
}
