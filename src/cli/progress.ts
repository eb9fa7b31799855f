// Fit progress on stderr: a cli-progress bar on a terminal, one line per iteration otherwise.

import cliProgress from 'cli-progress';

export interface FitProgress {
  update(iterationsDone: number, loss?: number): void;
  stop(): void;
}

/** Creates the progress display for a fit of `iterations` iterations; a no-op when `enabled` is false. */
export function createFitProgress(iterations: number, enabled: boolean): FitProgress {
  if (!enabled) return { update() {}, stop() {} };

  if (!process.stderr.isTTY) {
    return {
      update(done, loss) {
        process.stderr.write(`fit: iteration ${done}/${iterations}${loss === undefined ? '' : `, loss ${loss.toExponential(4)}`}\n`);
      },
      stop() {},
    };
  }

  const bar = new cliProgress.SingleBar(
    { format: 'fit {bar} {value}/{total} iterations | {duration_formatted} elapsed | loss {loss}', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(iterations, 0, { loss: '-' });
  return {
    update(done, loss) {
      bar.update(done, { loss: loss === undefined ? '-' : loss.toExponential(4) });
    },
    stop() {
      bar.stop();
    },
  };
}
