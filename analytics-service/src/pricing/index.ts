export {
  canonicalProvider,
  defaultPriceBook,
  findPrice,
  formatIssues,
  KIND_BASE,
  type LoadResult,
  loadPriceBook,
  PRICE_KINDS,
  PriceBook,
  PriceEntry,
  PriceKind,
  PriceUnit,
  parsePriceBook,
  UNIT_SIZES,
} from './price_book.js';
export { addAnalysisCost, LIVEKIT_MODEL, LIVEKIT_PROVIDER, priceSession } from './price_session.js';
