/**
 * The detector's result shape, as the plugin consumes it: the detector's own types
 * (`./signals`), under the names the plugin's API has always exported. `DetectFn` lets a
 * caller plug in another detector with the same contract.
 */
import type { Detection, Hit, Turn } from './signals/index.js';

export type DetectionHit<T> = Hit<T>;
export type DetectionResult = Detection;
/** `context`: the turns before the message, oldest first (the agent's last question among them). */
export type DetectFn = (text: string, context?: readonly Turn[]) => DetectionResult;
