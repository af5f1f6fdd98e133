import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

/** What `readEnvFile` did, for the start-up log: variable names only, never values. */
export interface EnvFileResult {
  path: string;
  found: boolean;
  /** Variables taken from the file. */
  applied: string[];
  /** Variables of the file left alone because the environment already sets them. */
  overridden: string[];
}

/**
 * Reads a dotenv file (Node's own parser) into `env`, for `npm start` and `npm run start:dev`
 * (`main.ts --dotenv`). Variables already set in the environment win, as with `node --env-file`;
 * a missing file is not an error. `start:prod` and tests read the environment only.
 */
export function readEnvFile(path: string, env: NodeJS.ProcessEnv = process.env): EnvFileResult {
  const absolute = resolve(path);
  const result: EnvFileResult = { path: absolute, found: false, applied: [], overridden: [] };
  if (!existsSync(absolute)) return result;
  result.found = true;
  for (const [name, value] of Object.entries(parseEnv(readFileSync(absolute, 'utf8')))) {
    if (value === undefined) continue;
    if (env[name] !== undefined) {
      result.overridden.push(name);
    } else {
      env[name] = value;
      result.applied.push(name);
    }
  }
  return result;
}

/** One line for the start-up log. */
export function describeEnvFile(result: EnvFileResult): string {
  if (!result.found) return `No ${result.path}: configuration from the environment only`;
  const names = (list: string[]) => (list.length === 0 ? 'none' : list.join(', '));
  return (
    `Read ${result.path}: ${names(result.applied)}` +
    (result.overridden.length === 0
      ? ''
      : ` (set in the environment, kept: ${names(result.overridden)})`)
  );
}
