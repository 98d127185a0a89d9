import { randomBytes } from 'node:crypto';
import { apiKeyHint, generateApiKey, hashApiKey, looksLikeApiKey } from './api-key';
import { generatePassword, hashPassword, passwordWeakness, verifyPassword } from './password';
import { isSealedWithCurrentKey, openSecret, sealSecret } from './secret-box';

describe('api keys', () => {
  it('are random, recognisable and stored only as a hash', () => {
    const key = generateApiKey();
    expect(looksLikeApiKey(key)).toBe(true);
    expect(generateApiKey()).not.toBe(key);
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).not.toContain(key.slice(4, 20));
    expect(apiKeyHint(key)).toHaveLength(10);
    expect(looksLikeApiKey('dxk_short')).toBe(false);
  });
});

describe('passwords', () => {
  it('hash slowly with a salt and verify in constant time', async () => {
    const hash = await hashPassword('Correct-Horse-9');
    expect(hash.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await hashPassword('Correct-Horse-9')).not.toBe(hash);
    expect(await verifyPassword('Correct-Horse-9', hash)).toBe(true);
    expect(await verifyPassword('correct-horse-9', hash)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('refuse weak client passwords with a reason', () => {
    expect(passwordWeakness('short1A!')).toMatch(/12 characters/);
    expect(passwordWeakness('aaaaaaaaaaaaaaaa')).toMatch(/6 different/);
    expect(passwordWeakness('alllowercaseletters')).toMatch(/three of/);
    expect(passwordWeakness('Mixed-Case-123')).toBeNull();
    expect(passwordWeakness('a long passphrase of many words')).toBeNull();
  });

  it('generate passwords that pass their own rules', () => {
    for (let i = 0; i < 50; i += 1) expect(passwordWeakness(generatePassword())).toBeNull();
  });
});

describe('secret box', () => {
  const current = randomBytes(32);
  const previous = randomBytes(32);

  it('round-trips and binds the secret to its context', () => {
    const sealed = sealSecret('s3cr3t', { key: current, previousKeys: [] }, 'job_1');
    expect(sealed).not.toContain('s3cr3t');
    expect(openSecret(sealed, { key: current, previousKeys: [] }, 'job_1')).toBe('s3cr3t');
    expect(() => openSecret(sealed, { key: current, previousKeys: [] }, 'job_2')).toThrow();
  });

  it('opens values sealed with a previous key during rotation', () => {
    const old = sealSecret('kept', { key: previous, previousKeys: [] }, 'ws');
    const keys = { key: current, previousKeys: [previous] };
    expect(isSealedWithCurrentKey(old, keys)).toBe(false);
    expect(openSecret(old, keys, 'ws')).toBe('kept');
    expect(() => openSecret(old, { key: current, previousKeys: [] }, 'ws')).toThrow(/not configured/);
  });
});
