export { samplePayload } from './sample_payload.js';
