import type { Aggregation } from '@export-service/contracts';
import { AGGREGATION_UNIT, type AggregationDef, type DataSourceDef, type TimeUnit } from '../catalog.types';
import { column, COMMON_FILTERS, periodStart, slugFilter, uuidFilter } from '../common';

function spendRollup(unit: TimeUnit): AggregationDef {
  return {
    columns: [
      periodStart('consumed_at', unit),
      column('user_id', 'uuid', false, 'User', { expression: 'src.user_id' }),
      column('feature', 'text', false, 'Feature', { expression: 'src.feature' }),
      column('events', 'bigint', false, 'Consumption events', { expression: 'count(*)' }),
      column('credits', 'numeric', false, 'Credits consumed', { precision: 18, scale: 4, expression: 'sum(src.credits)' }),
      column('cost_usd', 'numeric', false, 'Cost in USD', { precision: 20, scale: 6, expression: 'sum(src.cost_usd)' }),
    ],
    groupBy: ['src.user_id', 'src.feature'],
    orderBy: ['period_start', 'user_id', 'feature'],
  };
}

/** Credit spend events, or per-user-and-feature totals by day, ISO week or month. */
export const creditConsumptionSource: DataSourceDef = {
  type: 'credit_consumption',
  table: 'credit_consumption',
  description: 'One row per credit consumption event; with aggregation, totals per user, feature and period.',
  timestampColumn: 'consumed_at',
  averageRowBytes: 150,
  columns: [
    column('id', 'bigint', false, 'Row id'),
    column('user_id', 'uuid', false, 'User charged'),
    column('agent_id', 'text', true, 'Agent that consumed the credits'),
    column('feature', 'text', false, 'Feature used'),
    column('credits', 'numeric', false, 'Credits consumed', { precision: 14, scale: 4 }),
    column('unit_price_usd', 'numeric', false, 'Price of one credit', { precision: 12, scale: 6 }),
    column('cost_usd', 'numeric', false, 'Cost in USD', { precision: 16, scale: 6 }),
    column('consumed_at', 'timestamp', false, 'When (UTC)'),
  ],
  filters: [
    ...COMMON_FILTERS,
    uuidFilter('user_ids', 'user_id', 'Only these users'),
    slugFilter('agent_ids', 'agent_id', 'Only these agents'),
    slugFilter('features', 'feature', 'Only these features'),
  ],
  aggregations: Object.fromEntries((Object.keys(AGGREGATION_UNIT) as Aggregation[]).map((aggregation) => [aggregation, spendRollup(AGGREGATION_UNIT[aggregation])])) as Record<
    Aggregation,
    AggregationDef
  >,
};
