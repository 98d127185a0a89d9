/** A value as a CSV field PostgreSQL's COPY reads back exactly: NULL an empty unquoted field, anything else quoted. */
export function csvField(value: string | null): string {
  return value === null ? '' : `"${value.replace(/"/g, '""')}"`;
}

/** Parses one CSV record (RFC 4180 quoting) without its line end. */
export function parseCsvRecord(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let isQuoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i] as string;
    if (isQuoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') isQuoted = false;
      else field += char;
    } else if (char === '"') isQuoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}
