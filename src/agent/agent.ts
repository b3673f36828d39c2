/**
 * The Paperflow sales agent: instructions plus tools. Models are not set here; the session
 * that runs the agent provides them (see `session.ts` and `main.ts`).
 */
import { ReadableStream } from 'node:stream/web';
import type { stt } from '@livekit/agents';
import { voice } from '@livekit/agents';
import { DeepgramSTT } from './deepgram_stt.js';
import { GREETING_INSTRUCTIONS, SALES_INSTRUCTIONS } from './instructions.js';
import type { SalesToolDeps } from './tools/index.js';
import { createSalesTools } from './tools/index.js';

export const AGENT_NAME = 'paperflow-sales';
export const AGENT_VERSION = '0.1.0';

export interface SalesAgentOptions extends SalesToolDeps {
  /** Override the instructions (tests, experiments); default `SALES_INSTRUCTIONS`. */
  instructions?: string;
  /** Speak a greeting when the agent enters the session (default true). */
  greetOnEnter?: boolean;
}

export class SalesAgent extends voice.Agent {
  readonly #greetOnEnter: boolean;

  constructor(opts: SalesAgentOptions) {
    super({ instructions: opts.instructions ?? SALES_INSTRUCTIONS, tools: createSalesTools(opts) });
    this.#greetOnEnter = opts.greetOnEnter ?? true;
  }

  override async onEnter(): Promise<void> {
    if (this.#greetOnEnter) this.session.generateReply({ instructions: GREETING_INSTRUCTIONS });
  }

  /**
   * agents-js's STT node, except that when agents-js cancels it (the end of the call), the
   * cancel waits until the Deepgram stream has reported its last usage window
   * (`deepgram_stt.ts`) and gives the session the report if it did not see it (agents-js stops
   * forwarding the STT's metrics before it closes the stream), so that the payload includes it.
   */
  override async sttNode(
    ...args: Parameters<voice.Agent['sttNode']>
  ): Promise<ReadableStream<stt.SpeechEvent | string> | null> {
    const node = await voice.Agent.default.sttNode(this, ...args);
    const model = this.getActivityOrThrow().stt;
    if (node === null || !(model instanceof DeepgramSTT)) return node;
    const reader = node.getReader();
    const session = this.session;
    return new ReadableStream<stt.SpeechEvent | string>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        const seen = new Set<unknown>();
        const onMetrics = (ev: voice.MetricsCollectedEvent) => seen.add(ev.metrics);
        session.on(voice.AgentSessionEventTypes.MetricsCollected, onMetrics);
        try {
          await reader.cancel(reason);
          for (const m of await model.settled()) {
            if (seen.has(m)) continue;
            session.emit(voice.AgentSessionEventTypes.MetricsCollected, {
              type: 'metrics_collected',
              metrics: m,
              createdAt: Date.now(),
            });
          }
        } finally {
          session.off(voice.AgentSessionEventTypes.MetricsCollected, onMetrics);
        }
      },
    });
  }
}
