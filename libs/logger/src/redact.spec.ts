import { PassThrough } from 'node:stream';
import { createLogger } from './create-logger';
import { REDACTED, redactText, redactValue } from './redact';

describe('redaction', () => {
  it('masks secret-looking fields at any depth', () => {
    const masked = redactValue({ user: 'ana', password: 'hunter2hunter2', nested: { s3: { secretAccessKey: 'abc' }, list: [{ token: 't' }] } });
    expect(masked).toEqual({ user: 'ana', password: REDACTED, nested: { s3: { secretAccessKey: REDACTED }, list: [{ token: REDACTED }] } });
  });

  it('keeps booleans such as password_protected readable', () => {
    expect(redactValue({ password_protected: true })).toEqual({ password_protected: true });
  });

  it('masks bearer tokens, API keys and URL passwords inside text', () => {
    expect(redactText('Authorization: Bearer dxk_abcdefghijklmnop')).not.toContain('abcdefghijklmnop');
    expect(redactText('key dxk_abcdefghijklmnop used')).toBe(`key ${REDACTED} used`);
    expect(redactText('redis://user:s3cret@host:6379')).toBe(`redis://user:${REDACTED}@host:6379`);
    expect(redactText('redis://:s3cret@host:6379')).toBe(`redis://:${REDACTED}@host:6379`);
    for (const password of ['p@ss', 'pa#ss', 'p/a?ss']) expect(redactText(`got "postgres://u:${password}@h/db" at start`)).toBe(`got "postgres://u:${REDACTED}@h/db" at start`);
  });

  it('never writes a secret through the logger', async () => {
    const sink = new PassThrough();
    const lines: string[] = [];
    sink.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const logger = createLogger({ service: 'test', level: 'info', format: 'json', stream: sink });
    logger.child({ jobId: 'job_1' }).info('created', { encryption: { password: 'Sup3r-Secret-Pass' }, note: 'Bearer dxk_zzzzzzzzzzzz' });
    await new Promise((resolve) => setImmediate(resolve));
    const output = lines.join('');
    expect(output).toContain('job_1');
    expect(output).not.toContain('Sup3r-Secret-Pass');
    expect(output).not.toContain('dxk_zzzzzzzzzzzz');
  });
});
