/**
 * The industry cue phrases and their weights: 3 for an identity ("law firm"), 2 for a strong noun
 * ("clinic"), 1 for a hint ("patients"); `none` for phrases that contain a cue word but are not
 * one ("legal team", "bank account"). Matched by `industry.ts`.
 */
import type { IndustryId } from '../../schema/session_payload.js';
import { lazy, PhraseTable } from './phrases.js';

export type Cue = { id: IndustryId | 'none'; weight: number; needsSelf?: boolean };

function cues(
  id: IndustryId | 'none',
  weight: number,
  phrases: string,
  needsSelf = false,
): Array<[string, Cue]> {
  return phrases.split(',').map((p) => [p.trim(), { id, weight, needsSelf }]);
}

const CUES = (): Array<[string, Cue]> => [
  ...cues(
    'none',
    0,
    'bank account, bank accounts, bank statement, bank statements, bank transfer, accounting software, legal team, ' +
      'legal department, legal review, legal software, crm software, insurance certificate, insurance certificates, ' +
      'medical leave, school year, shipping address, shipping label, shipping labels, construction phase, ' +
      'claims process, real time, office space, government id, state of the art, software we use, the software, ' +
      'data warehouse, data warehouses, old school',
  ),
  ...cues(
    'legal',
    3,
    'law firm, law firms, law office, law practice, legal practice, legal services, practice law, litigation firm, ' +
      'family law, immigration law, personal injury, estate planning firm, legal aid',
  ),
  ...cues('legal', 2, 'attorneys, attorney, lawyers, lawyer, paralegals, paralegal, solicitors, barristers'),
  ...cues('legal', 1, 'litigation'),
  ...cues(
    'healthcare',
    3,
    'dental clinic, medical clinic, medical practice, dental practice, dental office, health system, hospital, ' +
      'healthcare, health care, urgent care, nursing home, home health, pharmacy, pharmacies, veterinary clinic, ' +
      'physical therapy, chiropractic, orthodontic, orthodontics, dermatology, hospice, medical group, health clinic, ' +
      'veterinary practice, veterinary hospital, vet clinic, animal hospital',
  ),
  ...cues(
    'healthcare',
    2,
    'clinic, clinics, hospitals, medical, dental, dentist, dentists, dentistry, physicians, physician, doctors, ' +
      'nurses, pharmacist, pharmacists, clinicians, therapists, chiropractor, optometry',
  ),
  ...cues('healthcare', 1, 'patients, patient'),
  ...cues(
    'finance',
    3,
    'accounting firm, accounting practice, cpa, cpas, cpa firm, cpa practice, fintech, wealth management, credit union, ' +
      'financial services, financial advisory, investment firm, asset management, private equity, hedge fund, ' +
      'tax firm, tax practice, bookkeeping firm, mortgage lender, community bank, regional bank, investment bank, ' +
      'investment adviser, investment advisor, registered investment adviser, registered investment advisor, ' +
      'investment management, investment manager, asset manager, wealth manager, broker dealer',
  ),
  ...cues(
    'finance',
    2,
    'bank, banks, banking, accounting, accountants, lending, lender, lenders, bookkeeping, financial advisors, ' +
      'tax preparation, brokerage firm',
  ),
  // "Mom paid off the mortgage": a hint that needs the prospect's own voice ("we're a mortgage broker").
  ...cues('finance', 1, 'mortgage, mortgages, loans'),
  ...cues(
    'insurance',
    3,
    'insurance agency, insurance company, insurance brokerage, insurance broker, insurance brokers, insurer, ' +
      'insurance carrier, insurance firm, brokerage of policies, underwriting',
  ),
  ...cues('insurance', 2, 'insurers, insurance, underwriters, policyholders, reinsurance'),
  ...cues('insurance', 1, 'claims'),
  ...cues('insurance', 2, 'carrier', true),
  ...cues(
    'real_estate',
    3,
    'real estate, realtors, realtor, realty, property management, property managers, property manager, ' +
      'rental properties, leasing office, brokerage of homes, real estate brokerage',
  ),
  ...cues('real_estate', 2, 'landlord, landlords, apartments, rentals, brokerage'),
  ...cues('real_estate', 1, 'properties, leasing'),
  ...cues(
    'education',
    3,
    'school district, university, community college, law school, high school, elementary school, charter school, ' +
      'tutoring, k 12, k12, school',
  ),
  ...cues('education', 2, 'schools, universities, college, colleges, academy, education, campus'),
  ...cues('education', 1, 'district, students, teachers, faculty'),
  ...cues(
    'technology',
    3,
    'software company, software firm, saas, tech company, tech startup, technology company, it services, ' +
      'it consultancy, it company, managed service provider, msp, dev shop, software development, software house, ' +
      'we build software, we make software, we develop software, building an app, build an app, build software, ' +
      'develop software, makes software, builds software, software startup, software business, software vendor, ' +
      'sell software, software consultancy',
  ),
  ...cues('technology', 2, 'cybersecurity, web agency, digital agency, app developer, app developers'),
  // "startup" alone states a stage, not what the company does ("a 12-person startup"): no cue.
  ...cues(
    'manufacturing',
    3,
    'manufacturer, manufacturing, factory, factories, production line, production lines, assembly line, ' +
      'machine shop, we manufacture, manufacturing plant',
  ),
  ...cues('manufacturing', 2, 'manufacturers, fabrication, oem'),
  // Issue #21, fourth round: what a shop that makes parts says it does ("we machine titanium",
  // "custom forgings", "steel components", "out on the shop floor").
  ...cues(
    'manufacturing',
    3,
    'we machine, we fabricate, we forge, we cast, we mill, we stamp, machining, cnc machining, ' +
      'injection molding, injection moulding, die casting, metal fabrication, sheet metal',
  ),
  ...cues(
    'manufacturing',
    2,
    'castings, forgings, stampings, machined parts, metal parts, steel components, metal components, ' +
      'precision parts, shop floor, production floor, drop forge',
  ),
  ...cues('manufacturing', 1, 'industrial equipment, industrial machinery'),
  ...cues('manufacturing', 2, 'plant, plants', true),
  ...cues(
    'retail',
    3,
    'retail, retailer, retailers, e commerce, ecommerce, online store, online shop, webshop, web shop, retail stores, ' +
      'retail store, retail chain, brick and mortar, direct to consumer, dtc brand, grocery store, coffee shop, ' +
      'gift shop, boutique, grocery chain, grocery stores, supermarket, supermarkets, coffee shops, gift shops, ' +
      'boutiques',
  ),
  ...cues('retail', 2, 'grocery'),
  ...cues('retail', 2, 'stores', true),
  ...cues(
    'government',
    3,
    'municipality, municipal, public sector, government, state agency, government agency, federal agency, ' +
      'agency of the state, city council, local government, state government, public works, township',
  ),
  ...cues('government', 2, 'city, county', true),
  ...cues(
    'nonprofit',
    3,
    'nonprofit, non profit, not for profit, nonprofits, charity, charities, ngo, food bank, food banks, charitable',
  ),
  ...cues('nonprofit', 2, 'foundation', true),
  ...cues(
    'construction',
    3,
    'construction, general contractors, general contractor, architecture firm, home builder, home builders, ' +
      'homebuilder, homebuilders, electrical contractor, roofing company',
  ),
  ...cues(
    'construction',
    2,
    'contractors, contractor, builders, builder, architects, subcontractors, roofing, remodeling, ' +
      'remodelling, renovation, renovations',
  ),
  ...cues(
    'logistics',
    3,
    'logistics, freight, trucking, warehouse operator, warehousing, 3pl, shipping company, delivery company, ' +
      'freight forwarder, courier company',
  ),
  ...cues('logistics', 2, 'courier, supply chain, fleet'),
  ...cues('logistics', 1, 'shipping, warehouse'),
  ...cues(
    'staffing',
    3,
    'staffing agency, staffing firm, staffing, recruiting firm, recruiting agency, recruitment agency, recruitment, ' +
      'hr consultancy, headhunters, temp agency, executive search, recruitment firm, search firm, ' +
      'executive search firm',
  ),
  ...cues('staffing', 2, 'recruiting, recruiters, talent agency'),
];

export const industryTable = lazy(() => new PhraseTable<Cue>(CUES()));
