export type {
  ChatCompletionRequest,
  ChatRequestMessage,
  OpenAICompatibleServer,
  OpenAICompatibleServerOptions,
  RecordedRequest,
  ReplyContext,
  ReplyFunction,
  ScriptedReply,
  ScriptedToolCall,
} from './openai_compatible_server.js';
export {
  lastMessageIsToolResult,
  lastUserText,
  messageText,
  startOpenAICompatibleServer,
  trailingToolResults,
} from './openai_compatible_server.js';
