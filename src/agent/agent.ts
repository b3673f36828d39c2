/**
 * The Paperflow sales agent: instructions plus tools. Models are not set here; the session
 * that runs the agent provides them (see `session.ts` and `main.ts`).
 */
import { voice } from '@livekit/agents';
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
}
