import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('starts on local defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.storage.driver).toBe('local');
    expect(config.secrets.key).toHaveLength(32);
    expect(config.secrets.isDevelopmentKey).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });

  it('allows the test-only every_seconds schedules everywhere but production', () => {
    expect(loadConfig({}).schedules.allowsEverySeconds).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', EXPORT_SECRET_KEY: 'ab'.repeat(32) }).schedules).toMatchObject({
      allowsEverySeconds: false,
      catchUpAfterMs: 300_000,
      reconcileMs: 60_000,
    });
  });

  it('names every bad variable in one line', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x', WORKER_CONCURRENCY: '0' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain('PORT must be a whole number (got "eighty")');
      expect(message).toContain('REDIS_URL must look like redis://host:6379');
      expect(message).toContain('WORKER_CONCURRENCY must be between 1 and 64');
    }
  });

  it('refuses production without a secret key and never echoes a key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/EXPORT_SECRET_KEY is required in production/);
    try {
      loadConfig({ EXPORT_SECRET_KEY: 'not-a-real-key-value' });
    } catch (error) {
      expect((error as Error).message).not.toContain('not-a-real-key-value');
    }
  });

  it('accepts hex and base64 keys and previous keys for rotation', () => {
    const hex = 'ab'.repeat(32);
    const base64 = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({ EXPORT_SECRET_KEY: hex, EXPORT_SECRET_KEY_PREVIOUS: base64 });
    expect(config.secrets.key.toString('hex')).toBe(hex);
    expect(config.secrets.previousKeys[0]).toEqual(Buffer.alloc(32, 7));
    expect(config.secrets.isDevelopmentKey).toBe(false);
  });

  it('never echoes a URL password in an error line (one redaction rule: the logger one)', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://admin:hunter2-Secret@db:3306/x' })).toThrow(
      /DATABASE_URL must use postgres: or postgresql: \(got "mysql:\/\/admin:\[redacted\]@db:3306\/x"\)/,
    );
    for (const url of ['http://:redis-pass-123@cache:6379', 'postgres://u:pa#ss-123@h', '"postgres://u:p@ss-123@h/db"']) {
      try {
        loadConfig({ REDIS_URL: url, DATABASE_URL: url });
        throw new Error('expected a ConfigError');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).not.toMatch(/pass-123|pa#ss|p@ss/);
      }
    }
  });

  it('reads TRUST_PROXY as a hop count or a list of proxies, and refuses true', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback,fd00::/8' }).http.trustProxy).toEqual(['10.0.0.0/8', 'loopback', 'fd00::/8']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY must not be true/);
    expect(() => loadConfig({ TRUST_PROXY: 'example.com' })).toThrow(/TRUST_PROXY must be false, a hop count, or addresses/);
  });

  it('takes STORAGE_DRIVER=s3 with its bucket, and names what an S3 or delivery setting lacks', () => {
    const config = loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'exports', S3_PREFIX: 'prod', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'true' });
    expect(config.storage).toMatchObject({ driver: 's3', s3: { bucket: 'exports', prefix: 'prod/', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials: null } });
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET is required with STORAGE_DRIVER=s3/);
    expect(() => loadConfig({ S3_ACCESS_KEY_ID: 'AKIA' })).toThrow(/S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together/);
    expect(() => loadConfig({ SMTP_URL: 'http://mail', WEBHOOK_ALLOW_PRIVATE: 'maybe', DELIVERY_ATTEMPTS: '0' })).toThrow(
      /SMTP_URL must use smtp: or smtps:.*WEBHOOK_ALLOW_PRIVATE must be true or false.*DELIVERY_ATTEMPTS must be between 1 and 50/,
    );
    expect(loadConfig({}).delivery).toMatchObject({ attempts: 5, backoffMs: 10_000, webhookAllowPrivate: false });
    expect(loadConfig({ EMAIL_ATTACH_MAX_MB: '3' }).mail.attachMaxBytes).toBe(3_000_000);
  });
});
