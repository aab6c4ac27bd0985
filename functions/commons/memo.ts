/**
 * Bounded memory for pure functions: a Map that drops its oldest entry when
 * full. Errors are not kept (compute throws, nothing is stored), so a bad
 * input throws the same error each time.
 */
export function remember<K, R>(cache: Map<K, R>, key: K, compute: () => R, max = 2_000): R {
  const known = cache.get(key);
  if (known !== undefined) return known;
  const value = compute();
  if (cache.size >= max) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/** A function of one string, remembered per input (at most `max` inputs). */
export function memoize<R>(fn: (key: string) => R, max?: number): (key: string) => R {
  const cache = new Map<string, R>();
  return (key) => remember(cache, key, () => fn(key), max);
}
