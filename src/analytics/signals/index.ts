export { detectSignals, toSpecSignals } from './detector.js';
export { type Token, tokenize } from './tokenizer.js';
export type { Detection, Hit, SpecSignals } from './types.js';
