// The shape every benchmark reports: our figure next to a baseline measured in the same run.
export interface BenchResult {
  name: string;
  value: number;
  baseline: number;
  ratio: number;
  unit: string;
  /** The ratio the issue asks for, where it names one. */
  target?: number;
}
