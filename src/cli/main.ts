#!/usr/bin/env node
// The `osusume` command line. Each subcommand validates its flags with zod, then calls library code.

import { Command, CommanderError, Option } from 'commander';
import { DeviceError, InputError, NumericError } from '../errors.js';
import { benchCommand } from './bench.js';
import { dataFormats, parseBenchFlags } from './bench-options.js';
import { registerDatasetsCommand } from './datasets-command.js';
import { addModelOptions } from './model-flags.js';
import { registerModelCommands } from './model-commands.js';
import { registerServeCommand } from './serve-command.js';

function buildProgram(): Command {
  const program = new Command();
  program
    .name('osusume')
    .description('Implicit-feedback collaborative filtering (ALS) on WebGPU or CPU worker threads.')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  const bench = program
    .command('bench')
    .description('Load, weight, split, fit, recommend for every test user, evaluate and print a report.')
    .option('--data <path>', 'interactions file; without it a synthetic Last.fm 360K-shaped set is generated')
    .addOption(new Option('--format <format>', 'format of --data, --train and --test').choices(dataFormats).default('auto'))
    .option('--train <path>', 'fixed training split (use with --test; one id space across both files)')
    .option('--test <path>', 'fixed test split (use with --train)')
    .option('--synthetic-scale <scale>', 'size of the synthetic set, 0 < scale <= 1 (default 1 = 358,868 users x 292,385 items)');
  addModelOptions(bench)
    .addOption(new Option('--weighting <weighting>', 'weighting applied to the training values before confidence').choices(['bm25', 'tfidf', 'none']).default('none'))
    .addOption(new Option('--device <device>', 'compute device').choices(['auto', 'cpu', 'webgpu']).default('auto'))
    .option('--threads <n>', 'CPU worker threads (default: available cores)')
    .option('--k <k>', 'cut-off K of the ranking metrics and the recommendation list length', '10')
    .option('--seed <seed>', 'seed of the initial factors, the split and the synthetic set', '1')
    .option('--test-fraction <fraction>', 'share of interactions held out for testing', '0.2')
    .option('--latency-samples <n>', 'users timed one at a time for the single-user latency', '1000')
    .option('--loss', 'compute the training loss after every iteration (slower)')
    .option('--no-progress', 'print no progress while fitting')
    .option('--json <path>', 'also write the report as one JSON record to this file')
    .action(async (options: Record<string, unknown>) => {
      await benchCommand(parseBenchFlags(options));
    });

  registerDatasetsCommand(program);
  registerModelCommands(program);
  registerServeCommand(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message; help and --version end with exit code 0.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof InputError || error instanceof DeviceError || error instanceof NumericError) {
      process.stderr.write(`osusume: ${error.message}\n`);
      process.exitCode = error instanceof InputError ? 2 : 1;
      return;
    }
    throw error;
  }
}

await main();
