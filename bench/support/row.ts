/** One line of the results table. */
export interface Row {
  figure: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
  /** true / false when the figure has a target; null when it is informational. */
  met: boolean | null;
}

/** What each benchmark module exports. */
export type Benchmark = () => Promise<Row[]>;
