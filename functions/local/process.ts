/**
 * Orderly shutdown for the local runtime: whatever was started registers how to
 * stop it; on SIGINT/SIGTERM (or an explicit `run()`) the cleanups run once, in
 * reverse order of registration — the workflow first, then the servers, then
 * DynamoDB Local. A second signal while cleaning up exits at once.
 */
export interface Shutdown {
  /** Registers a cleanup (run at once if shutdown is already over); returns a function that unregisters it. */
  add(name: string, cleanup: () => unknown): () => void;
  /** Aborted when shutdown begins: hand it to long-running work. */
  readonly signal: AbortSignal;
  /** Runs the cleanups (once; later calls get the same promise). Failures are reported, not thrown. */
  run(): Promise<void>;
  /** Removes the signal listeners (for tests and embedders). */
  dispose(): void;
}

export interface ShutdownOptions {
  signals?: NodeJS.Signals[];
  /** Exit the process after the cleanups that a signal started (default true). */
  exitOnSignal?: boolean;
  /** Where a failing cleanup is reported (default: stderr). */
  onError?: (name: string, error: unknown) => void;
}

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export function createShutdown(options: ShutdownOptions = {}): Shutdown {
  const { signals = ['SIGINT', 'SIGTERM'], exitOnSignal = true } = options;
  const onError =
    options.onError ?? ((name, error) => process.stderr.write(`cleanup "${name}" failed: ${(error as Error)?.message ?? String(error)}\n`));
  const cleanups: { name: string; cleanup: () => unknown }[] = [];
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  let finished = false;

  const runOne = async (name: string, cleanup: () => unknown): Promise<void> => {
    try {
      await cleanup();
    } catch (error) {
      onError(name, error);
    }
  };

  const run = (): Promise<void> =>
    (running ??= (async () => {
      controller.abort();
      // Popping one at a time also runs cleanups registered while shutting down.
      for (let entry = cleanups.pop(); entry; entry = cleanups.pop()) await runOne(entry.name, entry.cleanup);
      finished = true;
    })());

  const onSignal = (signal: NodeJS.Signals): void => {
    const code = SIGNAL_EXIT_CODES[signal] ?? 1;
    if (running) {
      if (exitOnSignal) process.exit(code); // an impatient second signal
      return;
    }
    void run().then(() => {
      if (exitOnSignal) process.exit(code);
    });
  };
  for (const signal of signals) process.on(signal, onSignal);

  return {
    add(name, cleanup) {
      if (finished) {
        void runOne(name, cleanup);
        return () => undefined;
      }
      const entry = { name, cleanup };
      cleanups.push(entry);
      return () => {
        const index = cleanups.indexOf(entry);
        if (index >= 0) cleanups.splice(index, 1);
      };
    },
    signal: controller.signal,
    run,
    dispose() {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
