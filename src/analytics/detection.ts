/**
 * The detector's result shape, as the plugin consumes it: the detector's own types
 * (`./signals`), under the names the plugin's API has always exported. `DetectFn` lets a
 * caller plug in another detector with the same contract.
 */
import type { Detection, Hit } from './signals/index.js';

export type DetectionHit<T> = Hit<T>;
export type DetectionResult = Detection;
export type DetectFn = (text: string) => DetectionResult;
