// `osusume fit | recommend | similar | import-implicit | export-implicit`: fit and save a model, query
// a saved one by external id, and move models to and from the Python library implicit.

import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { AlternatingLeastSquares } from '../als/index.js';
import { loadInteractions } from '../io/index.js';
import type { ScoredItem } from '../recommend/scored.js';
import { parseOrThrow } from '../validate.js';
import { dataFormats, flagName } from './bench-options.js';
import { addModelOptions, integerIn, modelFlagFields, modelOptionsFrom } from './model-flags.js';
import { createFitProgress } from './progress.js';

const device = z.enum(['auto', 'cpu', 'webgpu']).default('auto');
const threads = integerIn(1, 256).optional();
const path = z.string().min(1, { error: 'expected a file path' });

const fitFlagsSchema = z.strictObject({
  data: path,
  format: z.enum(dataFormats).default('auto'),
  out: path,
  ...modelFlagFields,
  seed: integerIn(0, 2 ** 32 - 1).optional(),
  device,
  threads,
  loss: z.boolean().default(false),
  progress: z.boolean().default(true),
});

const queryFlagsSchema = z.strictObject({
  model: path,
  user: z.string().min(1, { error: 'expected a user id' }).optional(),
  item: z.string().min(1, { error: 'expected an item id' }).optional(),
  n: integerIn(1, 100_000).default(10),
  json: z.boolean().default(false),
  device,
  threads,
});

const convertFlagsSchema = z.strictObject({ from: path, out: path, device, threads });

/** Prints ranked items as an aligned table, or as one JSON object with `key` naming the query id. */
function printItems(items: ScoredItem[], key: 'user' | 'item', id: string, asJson: boolean): void {
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ [key]: id, items })}\n`);
    return;
  }
  const width = Math.max(4, ...items.map((entry) => entry.itemId.length));
  const lines = [`${'rank'.padStart(4)}  ${'item'.padEnd(width)}  score`];
  items.forEach((entry, k) => lines.push(`${String(k + 1).padStart(4)}  ${entry.itemId.padEnd(width)}  ${entry.score.toFixed(6)}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function withModel<T>(flags: { model: string; device: 'auto' | 'cpu' | 'webgpu'; threads?: number }, work: (model: AlternatingLeastSquares) => Promise<T>): Promise<T> {
  const model = await AlternatingLeastSquares.load(flags.model, { device: flags.device, threads: flags.threads });
  try {
    return await work(model);
  } finally {
    await model.dispose();
  }
}

async function fitCommand(raw: Record<string, unknown>): Promise<void> {
  const flags = parseOrThrow(fitFlagsSchema, raw, 'fit flags', flagName);
  const started = performance.now();
  const data = await loadInteractions(flags.data, { format: flags.format });
  const model = new AlternatingLeastSquares({
    ...modelOptionsFrom(flags),
    seed: flags.seed,
    device: flags.device,
    threads: flags.threads,
    calculateTrainingLoss: flags.loss,
    logLevel: 'warn',
  });
  const progress = createFitProgress(flags.iterations, flags.progress);
  try {
    await model.fit(data, { onIteration: ({ iteration, loss }) => progress.update(iteration + 1, loss) });
    progress.stop();
    await model.save(flags.out);
  } finally {
    progress.stop();
    await model.dispose();
  }
  const { size } = await stat(flags.out);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `fitted ${data.userIds.size} users x ${data.itemIds.size} items (${data.userItems.nnz} interactions) in ${seconds} s on ${model.backendInfo?.description}; wrote ${flags.out} (${(size / 2 ** 20).toFixed(1)} MiB)\n`,
  );
}

/** Adds fit, recommend, similar, import-implicit and export-implicit to `program`. */
export function registerModelCommands(program: Command): void {
  const deviceOption = () => new Option('--device <device>', 'compute device').choices(['auto', 'cpu', 'webgpu']).default('auto');
  const threadsOption = ['--threads <n>', 'CPU worker threads (default: available cores)'] as const;

  const fit = program
    .command('fit')
    .description('Fit an ALS model on an interactions file and save it as one model file.')
    .requiredOption('--data <path>', 'interactions file')
    .addOption(new Option('--format <format>', 'format of --data').choices(dataFormats).default('auto'))
    .requiredOption('--out <path>', 'model file to write (replaced atomically)');
  addModelOptions(fit)
    .option('--seed <seed>', 'seed of the initial factors (default: random, stored in the file)')
    .addOption(deviceOption())
    .option(...threadsOption)
    .option('--loss', 'compute the training loss after every iteration (slower)')
    .option('--no-progress', 'print no progress while fitting')
    .action(fitCommand);

  program
    .command('recommend')
    .description('Print the top items for a user of a saved model, leaving out the user’s training items.')
    .requiredOption('--model <path>', 'model file written by `osusume fit`')
    .requiredOption('--user <id>', 'external user id')
    .option('--n <n>', 'number of items', '10')
    .option('--json', 'print one JSON object instead of a table')
    .addOption(deviceOption())
    .option(...threadsOption)
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseOrThrow(queryFlagsSchema, raw, 'recommend flags', flagName);
      const user = flags.user as string;
      await withModel(flags, async (model) => printItems(await model.recommend(user, { n: flags.n }), 'user', user, flags.json));
    });

  program
    .command('similar')
    .description('Print the items most similar to an item of a saved model (cosine of factors; the item itself first).')
    .requiredOption('--model <path>', 'model file written by `osusume fit`')
    .requiredOption('--item <id>', 'external item id')
    .option('--n <n>', 'number of items', '10')
    .option('--json', 'print one JSON object instead of a table')
    .addOption(deviceOption())
    .option(...threadsOption)
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseOrThrow(queryFlagsSchema, raw, 'similar flags', flagName);
      const item = flags.item as string;
      await withModel(flags, async (model) => printItems(await model.similarItems(item, { n: flags.n }), 'item', item, flags.json));
    });

  program
    .command('import-implicit')
    .description('Convert an .npz saved by implicit’s AlternatingLeastSquares.save() into a model file.')
    .requiredOption('--from <path>', '.npz file from implicit')
    .requiredOption('--out <path>', 'model file to write')
    .addOption(deviceOption().default('cpu'))
    .option(...threadsOption)
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseOrThrow(convertFlagsSchema, raw, 'import-implicit flags', flagName);
      const model = await AlternatingLeastSquares.loadImplicit(flags.from, { device: flags.device, threads: flags.threads });
      try {
        await model.save(flags.out);
      } finally {
        await model.dispose();
      }
      process.stdout.write(`wrote ${flags.out}: ${model.userIds.size} users x ${model.itemIds.size} items, ${model.factors} factors\n`);
    });

  program
    .command('export-implicit')
    .description('Write a model file as the .npz that implicit’s AlternatingLeastSquares.load() reads.')
    .requiredOption('--from <path>', 'model file written by `osusume fit`')
    .requiredOption('--out <path>', '.npz file to write')
    .addOption(deviceOption().default('cpu'))
    .option(...threadsOption)
    .action(async (raw: Record<string, unknown>) => {
      const flags = parseOrThrow(convertFlagsSchema, raw, 'export-implicit flags', flagName);
      await withModel({ model: flags.from, device: flags.device, threads: flags.threads }, (model) => model.saveImplicit(flags.out));
      process.stdout.write(`wrote ${flags.out}\n`);
    });
}
