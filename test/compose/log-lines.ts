/** Each key as often as it appears at the top level of one JSON line (JSON.parse would keep only the last). */
export function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (c === '"') {
      let end = i + 1;
      while (end < line.length && line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      if (depth === 1 && line[end + 1] === ':') keys.push(line.slice(i + 1, end));
      i = end;
    } else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') depth -= 1;
  }
  return keys;
}

/** The keys a JSON log line repeats at its top level (pino writes a key again when a child binds it again). */
export const repeatedKeys = (line: string): string[] => topLevelKeys(line).filter((k, i, all) => all.indexOf(k) !== i);
