/** Fakes the product ships for its own tests and for anyone testing an agent without a provider. */

export {
  SALES_CALL_USER_LINES,
  SALES_CONTACT,
  type SalesToolLog,
  salesCallScript,
  salesTools,
} from './sales_call.js';
export {
  ScriptedLLM,
  type ScriptedLLMOptions,
  type ScriptedRequest,
  type ScriptedResponse,
  type ScriptedToolCall,
  type ScriptedUsage,
  type ScriptStep,
  type UsageTotals,
} from './scripted_llm.js';
