/**
 * A scripted sales call for tests, benchmarks and demos: small tools with the names the analytics
 * stage rules know (a knowledge search, a meeting booking, a callback, end_call), the prospect's
 * lines, and the model's script for them. Nothing runs at import.
 */
import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { ScriptStep } from './scripted_llm.js';

export interface SalesToolLog {
  name: string;
  args: Record<string, unknown>;
}

/** The tools, recording each call into `calls`. `failBooking` makes the booking tool throw. */
export function salesTools(opts: { calls?: SalesToolLog[]; failBooking?: boolean; delayMs?: number } = {}) {
  const calls = opts.calls ?? [];
  const wait = () => (opts.delayMs ? new Promise((r) => setTimeout(r, opts.delayMs)) : Promise.resolve());
  return {
    search_knowledge: llm.tool({
      description: 'Search the product knowledge base.',
      parameters: z.object({ query: z.string() }),
      execute: async ({ query }) => {
        calls.push({ name: 'search_knowledge', args: { query } });
        await wait();
        return `integrations.md: native HubSpot, Salesforce and Slack connectors (query: ${query})`;
      },
    }),
    book_sales_meeting: llm.tool({
      description: 'Book a meeting with a sales rep.',
      parameters: z.object({
        name: z.string(),
        email: z.string(),
        company: z.string().optional(),
        phone: z.string().optional(),
        time: z.string(),
      }),
      execute: async (args) => {
        calls.push({ name: 'book_sales_meeting', args });
        await wait();
        if (opts.failBooking) throw new llm.ToolError('calendar unavailable');
        return `Booked for ${args.time}; confirmation sent to ${args.email}`;
      },
    }),
    request_callback: llm.tool({
      description: 'Ask a sales rep to call the prospect back.',
      parameters: z.object({ name: z.string(), phone: z.string(), when: z.string().optional() }),
      execute: async (args) => {
        calls.push({ name: 'request_callback', args });
        return `Callback scheduled for ${args.when ?? 'tomorrow'}`;
      },
    }),
    end_call: llm.tool({
      description: 'End the call.',
      parameters: z.object({ reason: z.string() }),
      execute: async (args) => {
        calls.push({ name: 'end_call', args });
        return 'ok';
      },
    }),
  };
}

export const SALES_CONTACT = {
  name: 'Maria Lopez',
  email: 'Maria@LopezLegal.com',
  company: 'Lopez Legal',
  time: '2026-11-24T15:00:00Z',
} as const;

/** What the prospect says, one user turn each. */
export const SALES_CALL_USER_LINES: readonly string[] = [
  "Hi, I'm Maria from Lopez Legal, we're a law firm.",
  "We're a team of 12 attorneys and we send about 50 contracts a week.",
  'We use HubSpot and Slack, and we need this ASAP. Does it connect to those?',
  "Actually we are 15 people now. We don't use Slack anymore, but we use Salesforce.",
  'Sounds good, please book a demo for Tuesday at 3pm.',
];

/** The model's side, one step per `chat()` call, for `SALES_CALL_USER_LINES` in order. */
export function salesCallScript(): ScriptStep[] {
  return [
    { text: 'Hi Maria! Tell me a bit about your team.', usage: { promptTokens: 120, completionTokens: 11 } },
    { text: 'Thanks. Which tools do you use today?', usage: { promptTokens: 150, completionTokens: 9 } },
    {
      toolCalls: [
        { name: 'search_knowledge', args: { query: 'hubspot slack integration' }, callId: 'call_search' },
      ],
      usage: { promptTokens: 190, completionTokens: 14 },
    },
    {
      text: 'Yes, we connect natively to HubSpot and Slack.',
      usage: { promptTokens: 240, promptCachedTokens: 128, completionTokens: 12 },
    },
    {
      text: 'Got it, Salesforce works too. Shall I book a demo?',
      usage: { promptTokens: 270, completionTokens: 13 },
    },
    {
      toolCalls: [{ name: 'book_sales_meeting', args: { ...SALES_CONTACT }, callId: 'call_book' }],
      usage: { promptTokens: 300, completionTokens: 30 },
    },
    {
      text: "You're booked for Tuesday at 3pm. Talk soon!",
      usage: { promptTokens: 340, completionTokens: 12 },
    },
  ];
}
