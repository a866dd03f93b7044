// Experiment sweeps (browser-safe parts): config parsing and expansion, run keys, the runs.jsonl
// record, the runner, summaries, tables and charts. The Node folder store is ./store-node.

export * from './sweep-config';
export * from './run-key';
export * from './runs-log';
export * from './labels';
export * from './summary';
export * from './summary-tables';
export * from './svg-chart';
export * from './budget-chart';
export * from './sweep-store';
export * from './sweep-runner';
export * from './sweep-attacks';
export * from './attack-summary';
export * from './attack-tables';
export * from './attack-charts';
