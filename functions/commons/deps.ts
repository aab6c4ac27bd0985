/**
 * How a handler gets its dependencies: given (tests, the local runtime), or a
 * function that builds them, from the environment and the AWS clients, on the
 * first invocation and keeps them for the container's life (the Lambda
 * `handler` exports). Every handler factory takes a `DepsSource`.
 */
export type DepsSource<D> = D | (() => D);

/** The dependencies, built once on first use. */
export function lazy<D extends object>(source: DepsSource<D>): () => D {
  if (typeof source !== 'function') return () => source;
  let built: D | undefined;
  return () => (built ??= (source as () => D)());
}
