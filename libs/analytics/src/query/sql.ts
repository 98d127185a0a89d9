/** A SQL statement and its bind values. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** Quotes an identifier; names come from the catalog, and anything unexpected is refused anyway. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** Collects bind values; every placeholder carries an explicit cast, e.g. `$3::uuid[]`. */
export class Params {
  readonly values: unknown[] = [];

  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}
