export { createProgram, main } from './program.js';
export { MovingAverageCrossStrategy } from './demo/ma-cross.js';
export type { MovingAverageCrossParams } from './demo/ma-cross.js';
export { generateDemoBars } from './demo/demo-data.js';
export type { DemoDataOptions } from './demo/demo-data.js';
export { equityHtml } from './demo/equity-html.js';
export { scaffoldFiles } from './scaffold.js';
export type { RunFigures } from './commands/run-report.js';
