// `osusume serve`: serves a model file over HTTP until SIGTERM or SIGINT; SIGHUP reloads the file.

import { Option, type Command } from 'commander';
import { z } from 'zod';
import { createRecommendServer } from '../serve/index.js';
import { parseOrThrow } from '../validate.js';
import { flagName } from './bench-options.js';
import { integerIn, numberIn } from './model-flags.js';

const serveFlagsSchema = z.strictObject({
  model: z.string().min(1, { error: 'expected a file path' }),
  host: z.string().min(1, { error: 'expected a host name or address' }).default('127.0.0.1'),
  port: integerIn(0, 65_535).default(8080),
  device: z.enum(['auto', 'cpu', 'webgpu']).default('auto'),
  threads: integerIn(1, 256).optional(),
  maxBatch: integerIn(1, 65_536).default(256),
  batchWindowMs: numberIn(0, 1000, true).default(1),
  maxQueue: integerIn(1, 1_000_000).default(256),
  logLevel: z.enum(['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

async function serveCommand(raw: Record<string, unknown>): Promise<void> {
  const flags = parseOrThrow(serveFlagsSchema, raw, 'serve flags', flagName);
  // Installed before the model loads: without a handler, SIGHUP's default action ends the process.
  // A SIGHUP during start-up means the file may have changed, so it is reloaded once the server listens.
  let onHangup = () => {
    isHangupPending = true;
  };
  let isHangupPending = false;
  process.on('SIGHUP', () => onHangup());
  const server = await createRecommendServer({
    modelPath: flags.model,
    host: flags.host,
    port: flags.port,
    device: flags.device,
    threads: flags.threads,
    maxBatch: flags.maxBatch,
    windowMs: flags.batchWindowMs,
    maxQueue: flags.maxQueue,
    logLevel: flags.logLevel,
  });
  await server.listen();
  const log = server.app.log;

  onHangup = () => {
    log.info('SIGHUP received: reloading the model file');
    // reload() logs its own failure and keeps the previous model.
    server.reload().catch(() => undefined);
  };
  if (isHangupPending) onHangup();
  let isStopping = false;
  const stop = (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    log.info({ signal }, 'stopping: draining running requests');
    server.close().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        log.error({ err: error }, 'close failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Adds `osusume serve` to `program`. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve a model file over HTTP: GET/POST /recommend, GET /similar-items, /healthz, /metrics. SIGHUP reloads the file.')
    .requiredOption('--model <path>', 'model file written by `osusume fit`')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', '8080')
    .addOption(new Option('--device <device>', 'compute device').choices(['auto', 'cpu', 'webgpu']).default('auto'))
    .option('--threads <n>', 'CPU worker threads (default: available cores)')
    .option('--max-batch <n>', 'queries per batched scoring call at most', '256')
    .option('--batch-window-ms <ms>', 'how long an idle server waits for more requests to batch, in milliseconds', '1')
    .option('--max-queue <n>', 'requests waiting or being scored at most; more get 503 with Retry-After', '256')
    .addOption(new Option('--log-level <level>', 'server log level (JSON lines on stdout)').choices(['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'))
    .action(serveCommand);
}
