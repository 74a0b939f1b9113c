/** One Dockerfile instruction: keyword, its flags (`--from=build`) and its arguments. */
export interface DockerInstruction {
  readonly keyword: string;
  readonly flags: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  /** The exec form (`["node", "x.js"]`) when the arguments are a JSON array. */
  readonly exec?: readonly string[];
  readonly line: number;
}

/** A build stage: its base image, its name (`AS build`) and its instructions. */
export interface DockerStage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: readonly DockerInstruction[];
}

/** Joins `\` continuations and drops comments and blank lines (the parser directive included). */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (buffer === '' && (line === '' || line.startsWith('#'))) return;
    if (buffer === '') start = i + 1;
    if (line.endsWith('\\')) buffer += `${line.slice(0, -1)} `;
    else {
      out.push({ text: buffer + line, line: start });
      buffer = '';
    }
  });
  return out;
}

function instruction(text: string, line: number): DockerInstruction {
  const [keyword = '', ...rest] = text.split(/\s+/);
  const body = text.slice(keyword.length).trim();
  let exec: string[] | undefined;
  if (body.startsWith('[')) {
    try {
      exec = JSON.parse(body) as string[];
    } catch {
      exec = undefined;
    }
  }
  const flags: Record<string, string> = {};
  const args: string[] = [];
  for (const word of rest) {
    const flag = /^--([a-z-]+)=(.*)$/.exec(word);
    if (flag && args.length === 0) flags[flag[1]!] = flag[2]!;
    else args.push(word);
  }
  return { keyword: keyword.toUpperCase(), flags, args, ...(exec ? { exec } : {}), line };
}

/** A small, honest Dockerfile reader: enough to check stages, COPY sources, USER and CMD statically. */
export function parseDockerfile(text: string): DockerStage[] {
  const stages: { image: string; name?: string; instructions: DockerInstruction[] }[] = [];
  for (const { text: lineText, line } of logicalLines(text)) {
    const ins = instruction(lineText, line);
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args;
      stages.push({ image, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
      continue;
    }
    const current = stages.at(-1);
    if (!current) throw new Error(`line ${line}: ${ins.keyword} before the first FROM`);
    current.instructions.push(ins);
  }
  return stages;
}
