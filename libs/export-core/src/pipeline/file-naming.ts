import type { SplitSpec, SourceSpec } from '@export-service/contracts';

/** File-name stems for the sources of one export: the type, then `_2`, `_3` for repeats of a type. */
export function sourceStems(sources: SourceSpec[]): string[] {
  const seen = new Map<string, number>();
  return sources.map((source) => {
    const count = (seen.get(source.type) ?? 0) + 1;
    seen.set(source.type, count);
    return count === 1 ? source.type : `${source.type}_${count}`;
  });
}

/**
 * `<stem>[_<period>][_partNNN].<ext>`: size splits number every part; a period that overflows its
 * `max_size_mb` keeps its plain name for the first file and numbers the rest from `_part002`.
 */
export function partFileName(stem: string, periodLabel: string | null, split: SplitSpec, partIndex: number, extension: string): string {
  const base = periodLabel ? `${stem}_${periodLabel}` : stem;
  const isNumbered = split.by === 'size' || partIndex > 1;
  const suffix = isNumbered ? `_part${String(partIndex).padStart(3, '0')}` : '';
  return `${base}${suffix}.${extension}`;
}

/** The extension chain of a file: format, then compression, then encryption. */
export function fileExtension(formatExtension: string, compressionExtension: string | null, encryptionExtension: string | null): string {
  return [formatExtension, compressionExtension, encryptionExtension].filter(Boolean).join('.');
}
