/** One measured figure of a benchmark, printed beside a baseline measured in the same run. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** The same kind of work done by something well known (e.g. JSON.parse of the same input), same run. */
  baseline?: { name: string; value: number };
  /** value / baseline.value: meaningful on a noisy machine where absolute figures are not. */
  ratio?: number;
  /** The figure the issue asks for, in words, e.g. ">= 20,000 decisions/s". */
  target?: string;
  pass?: boolean;
}

/** The figures as a plain-text table, one line per figure. */
export function formatBenchFigures(figures: BenchFigure[]): string {
  return figures
    .map((f) => {
      const value = `${Math.round(f.value).toLocaleString('en-US')} ${f.unit}`;
      const baseline = f.baseline
        ? `  baseline ${f.baseline.name}: ${Math.round(f.baseline.value).toLocaleString('en-US')} ${f.unit}`
        : '';
      const ratio = f.ratio === undefined ? '' : `  ratio ${f.ratio.toFixed(3)}`;
      const target = f.target ? `  target ${f.target}: ${f.pass ? 'pass' : 'FAIL'}` : '';
      return `${f.name}: ${value}${baseline}${ratio}${target}`;
    })
    .join('\n');
}

/**
 * A target set as a ratio to the same-run baseline: it holds on a slower or busier machine, where an absolute
 * figure passes or fails with the machine. The absolute value stays in the figure as information.
 */
export function ratioTarget(
  value: number,
  baseline: number,
  atLeast: number,
): Pick<BenchFigure, 'ratio' | 'target' | 'pass'> {
  const ratio = value / baseline;
  return { ratio, target: `>= ${atLeast}x baseline`, pass: ratio >= atLeast };
}
