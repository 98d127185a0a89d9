import type { ExportRequest } from '@export-service/contracts';
import { AppError } from '@export-service/errors';
import { resolveExportRequest } from './resolve-export-request';
import { toInstantRange } from './date-range';

const NOW = new Date('2026-11-30T12:00:00Z');

function resolve(body: Record<string, unknown>) {
  return resolveExportRequest({ name: 'n', format: 'csv', data_sources: [{ type: 'user_activity' }], ...body } as ExportRequest, 'ws_me', NOW);
}

function problems(body: Record<string, unknown>): string[] {
  try {
    resolve(body);
  } catch (error) {
    return (error as AppError).details.map((detail) => `${detail.field}: ${detail.problem}`);
  }
  throw new Error('expected a validation error');
}

describe('resolveExportRequest', () => {
  it('fills defaults: every column, no split, download, no encryption', () => {
    const { spec, password } = resolve({});
    expect(spec.sources[0]!.fields).toContain('timestamp');
    expect(spec).toMatchObject({ compression: 'none', split: { by: 'none', maxBytes: null }, delivery: { method: 'download' }, encryption: { enabled: false } });
    expect(password).toBeNull();
  });

  it('encrypts into a WinZip AES zip by default and generates a password', () => {
    const { spec, password } = resolve({ encryption: { enabled: true, password_protected: true } });
    expect(spec.compression).toBe('zip');
    expect(spec.encryption).toEqual({ enabled: true, container: 'zip-aes', passwordProtected: true });
    expect(password?.isGenerated).toBe(true);
    expect(resolve({ compression: 'gzip', encryption: { enabled: true, password: 'Strong-Pass-123' } }).spec.encryption.container).toBe('openpgp');
  });

  it('names every problem against the catalog', () => {
    const found = problems({
      data_sources: [
        { type: 'user_activity', fields: ['user_id', 'nope', 'user_id'], aggregation: 'daily', filters: { agent_ids: ['a'] } },
        { type: 'agent_performance', filters: { workspace_id: 'ws_other', agent_ids: ['bad id!'], date_range: { start: '2024-02-30', end: '2024-03-01' } } },
      ],
      split_files: { enabled: true, split_by: 'size' },
      encryption: { enabled: true, password: 'weak' },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^data_sources\[0\]\.aggregation: is not offered by user_activity/),
        expect.stringMatching(/^data_sources\[1\]\.filters\.workspace_id: must be your own workspace/),
        expect.stringMatching(/^data_sources\[1\]\.filters\.agent_ids\[0\]: must be an identifier/),
        expect.stringMatching(/^data_sources\[1\]\.filters\.date_range\.start: is not a real calendar date/),
        expect.stringMatching(/^split_files\.max_size_mb: is required when split_by is "size"/),
        expect.stringMatching(/^encryption\.password: must be at least 12 characters/),
      ]),
    );
    expect(problems({ data_sources: [{ type: 'user_activity', fields: ['user_id', 'nope', 'user_id'], filters: { agent_ids: ['a'] } }] })).toEqual([
      expect.stringMatching(/^data_sources\[0\]\.fields\[1\]: "nope" is not a column of user_activity/),
      'data_sources[0].fields[2]: "user_id" is listed twice',
      expect.stringMatching(/^data_sources\[0\]\.filters\.agent_ids: is not a filter of user_activity/),
    ]);
  });

  it("records the first target's method in the spec (the targets themselves are resolved by resolveDeliveries)", () => {
    expect(resolve({ delivery: { method: 'email', email_recipients: ['a@example.com'] } }).spec.delivery).toEqual({ method: 'email' });
    expect(resolve({ delivery: { targets: [{ method: 's3', s3_config: { bucket: 'b' } }, { method: 'download' }] } }).spec.delivery).toEqual({ method: 's3' });
  });
});

describe('relative date ranges', () => {
  const withRange = (date_range: Record<string, unknown>) => ({ data_sources: [{ type: 'user_activity', filters: { date_range } }] });

  it('are read at the moment of resolution, in whole UTC days', () => {
    const { spec } = resolve(withRange({ relative: 'previous_month' }));
    expect(spec.sources[0]!.filters.date_range).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
    const week = resolve(withRange({ relative: 'last_n_days', days: 7 })).spec.sources[0]!.filters.date_range;
    expect(week).toEqual({ from: '2026-11-23T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' });
    expect(resolve(withRange({ relative: 'month_to_date' })).spec.sources[0]!.filters.date_range).toEqual({ from: '2026-11-01T00:00:00.000Z', to: NOW.toISOString() });
  });

  it('name the field when mixed with start and end, or when days are missing or out of place', () => {
    expect(problems(withRange({ relative: 'previous_day', start: '2024-01-01', end: '2024-01-02' }))).toEqual([
      'data_sources[0].filters.date_range.relative: cannot be combined with start and end; give one or the other',
    ]);
    expect(problems(withRange({ relative: 'last_n_days' }))).toEqual(['data_sources[0].filters.date_range.days: is required with relative "last_n_days"']);
    expect(problems(withRange({ relative: 'previous_week', days: 3 }))).toEqual(['data_sources[0].filters.date_range.days: is only used with relative "last_n_days"']);
    expect(problems(withRange({ start: '2024-01-01' }))).toEqual(['data_sources[0].filters.date_range.end: is required (or give relative instead of start and end)']);
  });
});

describe('date ranges', () => {
  it('include the whole last day of a date-only end, in UTC', () => {
    expect(toInstantRange('2024-01-01', '2024-03-31')).toEqual({ range: { from: '2024-01-01T00:00:00.000Z', to: '2024-04-01T00:00:00.000Z' } });
    expect(toInstantRange('2024-01-01T10:00:00+02:00', '2024-01-02T00:00:00Z')).toEqual({ range: { from: '2024-01-01T08:00:00.000Z', to: '2024-01-02T00:00:00.000Z' } });
  });

  it('refuse impossible dates, missing time zones and reversed ranges', () => {
    expect(toInstantRange('2023-02-29', '2024-01-01')).toMatchObject({ field: 'start' });
    expect(toInstantRange('2024-01-01T00:00:00', '2024-02-01')).toMatchObject({ field: 'start' });
    expect(toInstantRange('2024-02-30T00:00:00Z', '2024-04-01')).toEqual({ field: 'start', problem: 'is not a real calendar date' });
    expect(toInstantRange('2024-01-01', '2024-02-01T24:30:00Z')).toEqual({ field: 'end', problem: 'is not a real time of day' });
    expect(toInstantRange('2024-02-29T23:59:59.5Z', '2024-03-01')).toHaveProperty('range');
    expect(toInstantRange('2024-03-01', '2024-02-01')).toMatchObject({ field: 'end', problem: 'must be after start' });
  });
});

describe('relative date ranges of schedules', () => {
  const withRange = (date_range: Record<string, unknown>) => ({ data_sources: [{ type: 'user_activity', filters: { date_range } }] });
  const request = (body: Record<string, unknown>) => ({ name: 'n', format: 'csv', data_sources: [{ type: 'user_activity' }], ...body }) as ExportRequest;

  it('are cut at the midnights of the given zone', () => {
    // 2026-11-30T12:00Z is noon in Berlin: yesterday there began at 2026-11-28T23:00Z.
    const { spec } = resolveExportRequest(request(withRange({ relative: 'previous_day' })), 'ws_me', NOW, { timeZone: 'Europe/Berlin' });
    expect(spec.sources[0]!.filters.date_range).toEqual({ from: '2026-11-28T23:00:00.000Z', to: '2026-11-29T23:00:00.000Z' });
  });

  it('read since_last_run as the range the run was given, and refuse it anywhere else', () => {
    const range = { from: '2026-11-30T11:00:00.000Z', to: '2026-11-30T11:59:58.000Z' };
    const { spec } = resolveExportRequest(request(withRange({ relative: 'since_last_run' })), 'ws_me', NOW, { sinceLastRun: range });
    expect(spec.sources[0]!.filters.date_range).toEqual(range);
    expect(problems(withRange({ relative: 'since_last_run' }))).toEqual([
      'data_sources[0].filters.date_range.relative: "since_last_run" is only for scheduled exports (a template run by a schedule)',
    ]);
    expect(problems(withRange({ relative: 'since_last_run', days: 2 }))).toEqual(['data_sources[0].filters.date_range.days: is only used with relative "last_n_days"']);
  });
});
