import { SERVER_VARIABLES } from './validate-environment.js';

/** Prefixes of the server's own variables: a name with one of them that it does not read is a typo. */
const OWN_PREFIXES = ['QINGTUI_', 'WECHAT_', 'WECOM_'];

/** A variable of our prefixes that the server does not read, and the known one closest to it. */
export interface UnknownVariable {
  name: string;
  closest?: string;
}

/**
 * The variables of the environment whose name has one of the server's prefixes but that the server
 * does not read (`QINGTUI_APP_SCRET`): without this warning, a misspelled variable silently starts
 * the sandbox or leaves a setting at its default. Only names are looked at, never values.
 */
export function unknownVariables(env: Record<string, unknown>): UnknownVariable[] {
  const known = new Set<string>(SERVER_VARIABLES);
  return Object.keys(env)
    .filter((name) => OWN_PREFIXES.some((prefix) => name.startsWith(prefix)) && !known.has(name))
    .sort()
    .map((name) => {
      let best: { name: string; distance: number } | undefined;
      for (const candidate of SERVER_VARIABLES) {
        const distance = editDistance(name, candidate);
        if (best === undefined || distance < best.distance) best = { name: candidate, distance };
      }
      // Suggested only when it is plausibly the same word.
      return best !== undefined && best.distance <= Math.max(2, Math.floor(name.length / 4))
        ? { name, closest: best.name }
        : { name };
    });
}

/** Levenshtein distance (names are short: the quadratic table is fine). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
