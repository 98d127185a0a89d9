import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { DATE_RANGE_RELATIVES, type DateRangeRelative, type DateRangeRequest } from '@export-service/contracts';
import { MAX_RELATIVE_DAYS } from '@export-service/periods';
import { CATALOG, type FilterDef } from '@export-service/analytics';
import { IsOmittable } from '../dto-rules';

/** Free-text list items are short identifiers; their exact shape is checked against the catalog. */
const ITEM = { each: true, message: '$property must hold strings' } as const;

/** A time window. Dates are UTC days; a date-only `end` includes that whole day. */
export class DateRangeDto implements DateRangeRequest {
  /** First day (`2024-01-01`) or first instant (`2024-01-01T00:00:00Z`), inclusive. */
  @IsOmittable() @IsString() @MaxLength(40) start?: string;
  /** Last day, inclusive, or an instant, exclusive. */
  @IsOmittable() @IsString() @MaxLength(40) end?: string;
  /**
   * Instead of start and end: a period read when the export is created (UTC days; a schedule's run
   * reads it at its period, in the schedule's zone), e.g. `previous_month`; `since_last_run` in
   * templates run by schedules: from where the last successful run stopped.
   */
  @IsOmittable() @IsIn(DATE_RANGE_RELATIVES, { message: `$property must be one of ${DATE_RANGE_RELATIVES.join(', ')}` }) relative?: DateRangeRelative;
  /** With `relative: last_n_days`: how many whole days before today. */
  @IsOmittable() @IsInt() @Min(1) @Max(MAX_RELATIVE_DAYS) days?: number;
}

/**
 * Filters of a data source. Its fields are not written here: every filter the catalog offers is
 * declared on this class from the catalog itself (below), so a new filter needs no DTO change.
 * Which source accepts which filter is checked against the catalog when the request is resolved.
 */
export class FiltersDto {
  [name: string]: unknown;
}

/** The shape rules of one kind of filter. */
function rulesFor(filter: FilterDef): PropertyDecorator[] {
  switch (filter.kind) {
    case 'date_range':
      return [ValidateNested(), Type(() => DateRangeDto)];
    case 'workspace':
      return [IsString(), MaxLength(128)];
    case 'values':
      return [IsArray(), ArrayMaxSize(filter.maxItems), IsString(ITEM)];
    case 'boolean':
      return [IsBoolean()];
  }
}

/** Every filter name in the catalog once; a name must mean the same kind of filter in every source. */
function catalogFilters(): FilterDef[] {
  const byName = new Map<string, FilterDef>();
  for (const source of Object.values(CATALOG)) {
    for (const filter of source.filters) {
      const known = byName.get(filter.name);
      if (known && known.kind !== filter.kind) throw new Error(`catalog filter ${filter.name} is a ${known.kind} in one source and a ${filter.kind} in another`);
      byName.set(filter.name, known ?? filter);
    }
  }
  return [...byName.values()];
}

for (const filter of catalogFilters()) {
  for (const rule of [IsOmittable(), ...rulesFor(filter)]) rule(FiltersDto.prototype, filter.name);
}
