export {
  AMPLITUDE_DEFAULT_ENDPOINT,
  type AmplitudeConfig,
  AmplitudeDestination,
  AmplitudeEnv,
  type AmplitudeEvent,
  amplitudeConfigFromEnv,
  amplitudeEvent,
  createAmplitudeDestination,
} from './amplitude.js';
export { blankToUndefined, type EnvSectionResult, parseEnvSection } from './env_section.js';
export { type BuiltRequest, HttpDestination, type HttpDestinationDeps } from './http_destination.js';
export {
  createHubSpotDestination,
  HUBSPOT_PROPERTY_KEYS,
  HUBSPOT_UPSERT_PATH,
  type HubSpotConfig,
  HubSpotDestination,
  HubSpotEnv,
  type HubSpotPropertyKey,
  hubspotConfigFromEnv,
  hubspotContactProperties,
  hubspotProperties,
} from './hubspot.js';
export {
  type Contact,
  type ContactField,
  contactFor,
  hashContactValue,
  isHashed,
  normaliseForHash,
  PiiKeyMissing,
  plainEmail,
  redactScoredSession,
} from './pii.js';
export {
  createSalesforceDestination,
  SALESFORCE_FIELD_KEYS,
  type SalesforceConfig,
  type SalesforceDeps,
  SalesforceDestination,
  SalesforceEnv,
  type SalesforceFieldKey,
  salesforceConfigFromEnv,
  salesforceFields,
  salesforceLeadBody,
  salesforcePathValue,
} from './salesforce.js';
export {
  JWT_BEARER_GRANT,
  SALESFORCE_TOKEN_PATH,
  type SalesforceAuth,
  type SalesforceToken,
  SalesforceTokenProvider,
  salesforceAssertion,
  type TokenOutcome,
} from './salesforce_auth.js';
export { reasonsSummary, signalsSummary, splitName } from './summary.js';
export {
  createWebhookDestination,
  DEFAULT_WEBHOOK_TOLERANCE_S,
  signWebhook,
  verifyWebhookSignature,
  WEBHOOK_EVENT_TYPE,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type WebhookConfig,
  WebhookDestination,
  WebhookEnv,
  type WebhookVerification,
  webhookBody,
  webhookConfigFromEnv,
} from './webhook.js';
