/** Rows per multi-row statement: well under SQLite's 32766 bound parameters and PostgreSQL's 65535. */
export const CHUNK_ROWS = 500;

/** Splits `items` into statement-sized chunks. */
export const chunks = <T>(items: readonly T[], size = CHUNK_ROWS): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
