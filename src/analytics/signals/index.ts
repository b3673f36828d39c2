export { detectSignals, toSpecSignals } from './detector.js';
export { type TokenView, Toks, tokenize, tokenViews } from './tokenizer.js';
export type { Alternative, Detection, Hit, SpecSignals, Turn } from './types.js';
export { warmUpDetector } from './warm_up.js';
