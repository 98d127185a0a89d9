import { AppError } from '@export-service/errors';
import type { ExportTemplateEntity } from '@export-service/db';
import { periodLabel } from './frequencies';
import { checkSchedule, type ScheduleInput } from './schedule-timing';
import { requestFromTemplate, sealTemplateConfiguration, unschedulableReason } from './template-request';
import { runExportName } from './start-run';

const KEYS = { key: Buffer.alloc(32, 7), previousKeys: [] };
const CONTEXT = { timingPath: 'schedule', frequencyPath: 'frequency', allowsEverySeconds: true };
const input = (overrides: Partial<ScheduleInput>): ScheduleInput => ({ name: 'n', templateId: 'tpl_x', frequency: 'daily', schedule: {}, ...overrides });

function problems(overrides: Partial<ScheduleInput>, context = CONTEXT): string[] {
  try {
    checkSchedule(input(overrides), context);
  } catch (error) {
    return (error as AppError).details.map((detail) => `${detail.field}: ${detail.problem}`);
  }
  return [];
}

describe('checkSchedule', () => {
  it('fills defaults (00:00, UTC, download) and keeps retention and delivery', () => {
    const { settings } = checkSchedule(input({ retention: { keep_exports_days: 90, auto_cleanup: true }, delivery: { auto_delete_after_days: 30 } }), CONTEXT);
    expect(settings).toMatchObject({ timing: {}, timezone: 'UTC', keepExportsDays: 90, autoCleanup: true, deliveryMethod: 'download', autoDeleteAfterDays: 30 });
  });

  it('names every problem of the timing against its frequency', () => {
    expect(problems({ frequency: 'weekly', schedule: { time: '08:00' } })).toEqual([expect.stringMatching(/^schedule\.day_of_week: is required with frequency "weekly"/)]);
    expect(problems({ frequency: 'monthly', schedule: {} })).toEqual([expect.stringMatching(/^schedule\.day_of_month: is required/)]);
    expect(problems({ frequency: 'cron', schedule: { cron: '0 0 31 4 *' } })).toEqual([
      expect.stringMatching(/^schedule\.cron: is not a valid cron expression: day of month never falls/),
    ]);
    expect(problems({ frequency: 'hourly', schedule: { time: '08:00', cron: '* * * * *' } })).toEqual([
      'schedule.time: is not used with frequency "hourly" (only with "daily", "weekly", "monthly")',
      'schedule.cron: is not used with frequency "hourly" (only with "cron")',
    ]);
    expect(problems({ schedule: { timezone: 'Europe/Atlantis' } })).toEqual(['schedule.timezone: "Europe/Atlantis" is not an IANA time zone (for example Europe/Berlin or UTC)']);
    expect(problems({ retention: { auto_cleanup: true } })).toEqual(['retention.keep_exports_days: is required when retention.auto_cleanup is true']);
  });

  it('refuses every_seconds in production', () => {
    expect(problems({ frequency: 'every_seconds', schedule: { every_seconds: 5 } })).toEqual([]);
    expect(problems({ frequency: 'every_seconds', schedule: { every_seconds: 5 } }, { ...CONTEXT, allowsEverySeconds: false })).toEqual([
      'frequency: "every_seconds" is for tests and benchmarks only and is refused in production (NODE_ENV=production)',
    ]);
  });
});

describe('period names', () => {
  it('name a period in the schedule\u2019s zone by its frequency', () => {
    const at = new Date('2024-12-30T23:30:00Z');
    expect(periodLabel('daily', at, 'Europe/Berlin')).toBe('2024-12-31');
    expect(periodLabel('daily', at, 'UTC')).toBe('2024-12-30');
    expect(periodLabel('weekly', at, 'UTC')).toBe('2025-W01');
    expect(periodLabel('weekly', new Date('2021-01-03T12:00:00Z'), 'UTC')).toBe('2020-W53');
    expect(periodLabel('monthly', at, 'Europe/Berlin')).toBe('2024-12');
    expect(periodLabel('hourly', at, 'Australia/Lord_Howe')).toBe('2024-12-31 10:00');
    expect(periodLabel('every_seconds', new Date('2024-01-01T00:00:05Z'), 'UTC')).toBe('2024-01-01 00:00:05');
    expect(runExportName({ name: 'Daily Activity', frequency: 'daily', timezone: 'UTC' }, { trigger: 'backfill', periodAt: at })).toBe('Daily Activity 2024-12-30');
    expect(runExportName({ name: 'x'.repeat(300), frequency: 'daily', timezone: 'UTC' }, { trigger: 'schedule', periodAt: at })).toHaveLength(200);
  });
});

describe('templates as requests', () => {
  const template = (configuration: ExportTemplateEntity['configuration'], sealedPassword: string | null = null) =>
    ({ id: 'tpl_1', name: 'T', configuration, sealedPassword }) as ExportTemplateEntity;

  it('replace whole top-level fields with the overrides and keep the rest', () => {
    const base = template({
      format: 'csv',
      compression: 'gzip',
      data_sources: [{ type: 'user_activity', fields: ['user_id'] }],
      split_files: { enabled: true, split_by: 'month' },
    });
    const request = requestFromTemplate(base, 'named', { format: 'jsonl', data_sources: [{ type: 'error_logs' }], compression: undefined }, KEYS);
    expect(request).toEqual({ name: 'named', format: 'jsonl', compression: 'gzip', data_sources: [{ type: 'error_logs' }], split_files: { enabled: true, split_by: 'month' } });
  });

  it('seal the password apart and put it back for a run, unless the encryption block is overridden', () => {
    const sealed = sealTemplateConfiguration(
      'tpl_1',
      { format: 'csv', data_sources: [{ type: 'user_activity' }], encryption: { enabled: true, password: 'Correct-Horse-42' } },
      KEYS,
    );
    expect(JSON.stringify(sealed.configuration)).not.toContain('Correct-Horse-42');
    const stored = template(sealed.configuration, sealed.sealedPassword);
    expect(requestFromTemplate(stored, 'n', {}, KEYS).encryption).toEqual({ enabled: true, password: 'Correct-Horse-42' });
    expect(requestFromTemplate(stored, 'n', { encryption: { enabled: false } }, KEYS).encryption).toEqual({ enabled: false });
    // Sealed for this template only.
    expect(() => requestFromTemplate({ ...stored, id: 'tpl_2' } as ExportTemplateEntity, 'n', {}, KEYS)).toThrow();
    expect(unschedulableReason(stored)).toBeNull();
    expect(unschedulableReason(template({ format: 'csv', data_sources: [], encryption: { enabled: true } }))).toMatch(/generated password/);
  });
});
