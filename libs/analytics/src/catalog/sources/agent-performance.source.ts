import type { Aggregation } from '@export-service/contracts';
import { AGGREGATION_UNIT, type AggregationDef, type DataSourceDef, type TimeUnit } from '../catalog.types';
import { column, COMMON_FILTERS, periodStart, slugFilter } from '../common';

function performanceRollup(unit: TimeUnit): AggregationDef {
  const latency = (fraction: number) => `percentile_cont(${fraction}) WITHIN GROUP (ORDER BY src.latency_ms)`;
  return {
    columns: [
      periodStart('recorded_at', unit),
      column('agent_id', 'text', false, 'Agent', { expression: 'src.agent_id' }),
      column('runs', 'bigint', false, 'Runs in the period', { expression: 'count(*)' }),
      column('successes', 'bigint', false, 'Runs that succeeded', { expression: `count(*) FILTER (WHERE src.status = 'success')` }),
      column('failures', 'bigint', false, 'Runs that failed', { expression: `count(*) FILTER (WHERE src.status = 'failure')` }),
      column('timeouts', 'bigint', false, 'Runs that timed out', { expression: `count(*) FILTER (WHERE src.status = 'timeout')` }),
      column('success_rate', 'numeric', false, 'successes / runs', {
        precision: 6,
        scale: 4,
        expression: `round(count(*) FILTER (WHERE src.status = 'success')::numeric / count(*), 4)`,
      }),
      column('avg_latency_ms', 'numeric', false, 'Mean latency', { precision: 12, scale: 2, expression: 'round(avg(src.latency_ms), 2)' }),
      column('p50_latency_ms', 'double', false, 'Median latency', { expression: latency(0.5) }),
      column('p95_latency_ms', 'double', false, '95th percentile latency', { expression: latency(0.95) }),
      column('p99_latency_ms', 'double', false, '99th percentile latency', { expression: latency(0.99) }),
      column('max_latency_ms', 'integer', false, 'Slowest run', { expression: 'max(src.latency_ms)' }),
      column('tokens_input', 'bigint', false, 'Input tokens', { expression: 'sum(src.tokens_input)::bigint' }),
      column('tokens_output', 'bigint', false, 'Output tokens', { expression: 'sum(src.tokens_output)::bigint' }),
      column('credits_used', 'numeric', false, 'Credits used', { precision: 18, scale: 4, expression: 'sum(src.credits_used)' }),
      column('avg_quality_score', 'double', true, 'Mean quality score of scored runs', { expression: 'avg(src.quality_score)' }),
    ],
    groupBy: ['src.agent_id'],
    orderBy: ['period_start', 'agent_id'],
  };
}

const rollups = Object.fromEntries(
  (Object.keys(AGGREGATION_UNIT) as Aggregation[]).map((aggregation) => [aggregation, performanceRollup(AGGREGATION_UNIT[aggregation])]),
) as Record<Aggregation, AggregationDef>;

/** Every agent run, or per-agent rollups by day, ISO week or month. */
export const agentPerformanceSource: DataSourceDef = {
  type: 'agent_performance',
  table: 'agent_performance',
  description: 'One row per agent run; with aggregation, one row per agent and period with counts, rates, latency percentiles and totals.',
  timestampColumn: 'recorded_at',
  averageRowBytes: 180,
  columns: [
    column('id', 'bigint', false, 'Row id'),
    column('agent_id', 'text', false, 'Agent'),
    column('run_id', 'uuid', false, 'Run'),
    column('task_type', 'text', false, 'Kind of task'),
    column('status', 'text', false, 'success, failure or timeout'),
    column('latency_ms', 'integer', false, 'Run latency'),
    column('tokens_input', 'integer', false, 'Input tokens'),
    column('tokens_output', 'integer', false, 'Output tokens'),
    column('credits_used', 'numeric', false, 'Credits used', { precision: 14, scale: 4 }),
    column('quality_score', 'double', true, 'Evaluator score, 0 to 1'),
    column('error_code', 'text', true, 'Error code of a failed run'),
    column('recorded_at', 'timestamp', false, 'When the run ended (UTC)'),
  ],
  filters: [
    ...COMMON_FILTERS,
    slugFilter('agent_ids', 'agent_id', 'Only these agents'),
    slugFilter('task_types', 'task_type', 'Only these task types'),
    slugFilter('statuses', 'status', 'Only these statuses'),
  ],
  aggregations: rollups,
};
