#!/usr/bin/env node
import { closeSync, fstatSync } from 'node:fs';
import { parseFilterArgs, USAGE, type FilterArgs } from './args';
import { BOUNCE_COUNTER_CAPACITY, createMemoryBounceCounter } from './bounceCounter';
import { connectionCap, readOpenFileLimit } from './connectionCap';
import { controlSocketPath, type ReloadVerdict, type StatusReport } from './control';
import { startControlServer, type ControlServer } from './controlServer';
import { DecisionCounter } from './decisionCounts';
import { createMessageHandler } from './handleMessage';
import { watchLifecycle } from './lifecycle';
import { createLogger, describeError, type Logger } from './log';
import { configurationWarnings, loadRuntime, type Runtime } from './runtime';
import { describeRuntimeChanges } from './runtimeChanges';
import { createFilterStores, storeStatus } from './stores';
import { startFilterServer, type FilterServer } from './socketServer';

/** Request bounds: a queue path never needs more than PATH_MAX; a message rarely has many control files. */
const MAX_LINE_BYTES = 4096;
const MAX_REQUEST_BYTES = 256 * 1024;
/**
 * submit writes about 100 recipients to a control file, so 1,000 files are some 100,000
 * recipients of one message: far more than real mail has, and few enough to read at once.
 */
const MAX_CONTROL_FILES = 1000;
/** A rewrite with fsync takes milliseconds; a write still running after this has hung (the answer is 451). */
const WRITE_GRACE_MS = 5000;

// Lines are written once per event loop turn; 'exit' listeners run on every process.exit,
// including the crash handler's, and writing to stderr is synchronous there.
const log = createLogger('info');
process.on('exit', () => log.flush());

/**
 * courierfilter waits for fd 3 to close to know the filter is ready. Started any other way,
 * fd 3 is not inherited and Node has put its own epoll descriptor there, which must not be
 * closed; so it is closed only when it is a pipe or a socket, checked before anything else
 * opens a descriptor.
 */
function inheritedReadyFd(): number | null {
  try {
    const stat = fstatSync(3);
    return stat.isFIFO() || stat.isSocket() ? 3 : null;
  } catch {
    return null;
  }
}

async function main(): Promise<number | null> {
  const readyFd = inheritedReadyFd();
  const parsed = parseFilterArgs(process.argv.slice(2), process.argv[1] ?? '');
  if (!parsed.ok) {
    log.error(parsed.error);
    log.error(USAGE);
    return 2;
  }
  const args = parsed.value;
  if (process.getuid?.() === 0 && !args.allowRoot) {
    log.error('refusing to run as root: courierfilter runs filters as the mail user (--allow-root is for tests only)');
    return 1;
  }

  const stores = createFilterStores();
  const loaded = await loadRuntime(args.config, stores);
  if (!loaded.ok) {
    logProblems(log, loaded.error, 'not started');
    return 1;
  }
  let runtime = loaded.value;
  let loadedAt = new Date();
  log.setLevel(runtime.policy.logLevel);
  const counts = new DecisionCounter();

  const cap = connectionCap(args.maxConnections, args.maxConcurrent, readOpenFileLimit());
  let server: FilterServer;
  try {
    server = await startFilterServer({
      socketDir: runtime.socketDir,
      name: args.name,
      queueDir: () => runtime.queueDir,
      handle: createMessageHandler(() => runtime, log, createMemoryBounceCounter(BOUNCE_COUNTER_CAPACITY, Date.now), counts),
      onError: () => runtime.policy.onError,
      limits: {
        connectionTimeoutMs: args.connectionTimeoutMs,
        writeGraceMs: WRITE_GRACE_MS,
        maxConcurrent: args.maxConcurrent,
        maxConnections: cap.maxConnections,
        maxLineBytes: MAX_LINE_BYTES,
        maxRequestBytes: MAX_REQUEST_BYTES,
        maxControlFiles: MAX_CONTROL_FILES,
      },
      log,
    });
  } catch (error) {
    log.error(`cannot create the filter socket in ${runtime.socketDir}: ${(error as Error).message}`);
    return 1;
  }
  // Stop and reload are wired before the ready signal, so a signal sent on ready is handled.
  handleCrashes(log, server, () => runtime);
  // The handlers run only on a request, an event loop turn after the lifecycle below is wired.
  const control = await openControl(args, runtime, log, {
    status: () => statusReport(args, runtime, loadedAt, counts),
    reload: async () => (await lifecycle.reload()) ?? { applied: false, problems: ['the filter is stopping'] },
  });
  const lifecycle = watchLifecycle({
    shutdown: async (why) => {
      control?.close();
      const drained = server.drain(args.drainTimeoutMs);
      // Logged once no new connection is accepted any more.
      log.info(`stopping (${why}): finishing the messages in flight`);
      const { unfinished } = await drained;
      if (unfinished > 0) {
        log.warn(`${unfinished} message(s) unfinished after ${args.drainTimeoutMs} ms were answered without their result`);
      }
      log.info('stopped');
      process.exit(0);
    },
    reload: async (): Promise<ReloadVerdict> => {
      try {
        const next = await loadRuntime(args.config, stores);
        if (!next.ok) {
          logProblems(log, next.error, RELOAD_FAILED);
          return { applied: false, problems: [...next.error] };
        }
        const changes = describeRuntimeChanges(runtime, next.value);
        runtime = next.value;
        stores.keepOnly(runtime.store);
        loadedAt = new Date();
        log.setLevel(runtime.policy.logLevel);
        // Logged once new messages get the new configuration.
        log.info(`reloaded: ${describeRuntime(runtime)} changed=${changes.length === 0 ? 'nothing' : changes.join('; ')}`);
        for (const warning of configurationWarnings(runtime)) log.warn(warning);
        return { applied: true, changes, secrets: runtime.secretCount };
      } catch (error) {
        // A bug in the loader must not stop the mail: the filter goes on with what it has.
        log.error(`${RELOAD_FAILED}: internal error: ${describeError(error)}`);
        return { applied: false, problems: [`internal error: ${error instanceof Error ? error.message : String(error)}`] };
      }
    },
  });
  if (readyFd !== null) closeSync(readyFd);
  log.info(`ready: ${describeRuntime(runtime)} socket=${server.socketPath} pid=${process.pid}`);
  if (cap.openFileLimit !== undefined) {
    log.warn(`the open-file limit ${cap.openFileLimit} leaves room for ${cap.maxConnections} connections, not --max-connections ${args.maxConnections}`);
  }
  for (const warning of configurationWarnings(runtime)) log.warn(warning);
  return null;
}

const RELOAD_FAILED = 'reload failed, the previous configuration stays in force';

/**
 * The control socket srsctl reload and status use. Without it the filter still filters and
 * SIGHUP still reloads, so a failure here is a warning, never a reason not to start.
 */
async function openControl(
  args: FilterArgs,
  runtime: Runtime,
  log: Logger,
  handlers: Parameters<typeof startControlServer>[1],
): Promise<ControlServer | undefined> {
  const socketPath = controlSocketPath(runtime.courier.localstatedir, args.name);
  try {
    return await startControlServer(socketPath, handlers, log);
  } catch (error) {
    log.warn(`no control socket at ${socketPath} (${(error as Error).message}): srsctl reload and status cannot reach this filter; SIGHUP still reloads`);
    return undefined;
  }
}

function statusReport(args: FilterArgs, runtime: Runtime, loadedAt: Date, counts: DecisionCounter): StatusReport {
  const uptimeSeconds = Math.floor(process.uptime());
  return {
    name: args.name,
    pid: process.pid,
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    uptimeSeconds,
    configPath: args.config,
    policyLoadedAt: loadedAt.toISOString(),
    srsDomain: runtime.policy.srsDomain,
    secrets: runtime.secretCount,
    decisions: counts.snapshot(),
    store: storeStatus(runtime.store),
    storeProblem: runtime.storeProblem,
  };
}

/** One ERR line per problem, then what it means. */
function logProblems(log: Logger, problems: readonly string[], consequence: string): void {
  for (const problem of problems) log.error(problem);
  log.error(`${consequence}: ${problems.length} problem(s) in the configuration`);
}

function describeRuntime(runtime: Runtime): string {
  const { policy, secretCount, queueDir } = runtime;
  const status = storeStatus(runtime.store);
  const store = status === null ? '' : ` store=${status.location} store-errors=${status.errors}`;
  return `srs-domain=${policy.srsDomain} secrets=${secretCount} on-error=${policy.onError} original-envelope=${policy.originalEnvelope}${store} queue=${queueDir}`;
}

/**
 * A bug that escapes every handler ends the process. With on-error tempfail the socket stays,
 * so submit answers 432 and senders retry (fail closed); with on-error accept it is removed,
 * so mail flows unfiltered (fail open), as the admin chose.
 */
function handleCrashes(log: Logger, server: FilterServer, current: () => Runtime): void {
  const crash = (error: unknown): void => {
    log.error(`crashed: ${describeError(error)}`);
    if (current().policy.onError === 'accept') server.removeSocket();
    process.exit(70);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

void main().then(
  (code) => {
    if (code !== null) process.exit(code);
  },
  (error: unknown) => {
    log.error(`srsfilter failed to start: ${describeError(error)}`);
    process.exit(1);
  },
);
