const shared = new WeakMap<object, Map<string, unknown>>();

/**
 * One object for every app resolved with the same platform rules: what `build` makes from the
 * rules alone (an app's fetch semantics, its hourly limits) is built once per rules object and
 * frozen, not once per app (ten thousand apps, ten thousand copies of one value otherwise).
 */
export function sharedPerRules<T extends object>(rules: object, name: string, build: () => T): T {
  let byName = shared.get(rules);
  if (byName === undefined) {
    byName = new Map();
    shared.set(rules, byName);
  }
  let value = byName.get(name) as T | undefined;
  if (value === undefined) {
    value = Object.freeze(build());
    byName.set(name, value);
  }
  return value;
}
