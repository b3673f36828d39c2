/** Loads a labelled fixture for the accuracy tests; the scoring itself is the product's (`signals:eval`). */
import { readFileSync } from 'node:fs';
import { type Example, parseLabelled } from '../../src/analytics/signals/evaluate.js';

export { formatMiss, formatScore, score } from '../../src/analytics/signals/evaluate.js';

export function loadExamples(path: string): Example[] {
  return parseLabelled(readFileSync(path, 'utf8'), path);
}
