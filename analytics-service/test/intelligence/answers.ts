/** Model answers for the sales call in `fixtures.ts` (SALES_CALL_PROSPECT), as the analysis schema wants them. */
export function goodAnswer(): Record<string, unknown> {
  return {
    summary:
      'A 12-attorney law firm whose engagement letters take too long wants document automation now; it asked about pricing and the managing partner agreed to a meeting on Tuesday.',
    custom_fields: {
      pain_point: {
        value: 'engagement letters take too long',
        quotes: ['our engagement letters take forever'],
      },
      current_process: {
        value: 'HubSpot and DocuSign',
        quotes: ['We live in HubSpot and sign everything in DocuSign'],
      },
      timeline: { value: 'immediately', quotes: ['we needed this yesterday'] },
      decision_maker: { value: true, quotes: ["I'm the managing partner so I sign off on this"] },
      objections: null,
      buying_stage: { value: 'ready_to_buy', quotes: ['Tuesday at 3 works'] },
      budget_usd_per_month: null,
    },
    success: {
      objectives: [
        { id: 'need_confirmed', met: true, quotes: ['our engagement letters take forever'] },
        { id: 'next_step_agreed', met: true, quotes: ['Tuesday at 3 works'] },
      ],
    },
    signals: {
      team_size: { value: 12, quotes: ['a dozen attorneys'] },
      monthly_volume: { value: 200, quotes: ['about 200 contracts a month'] },
      integration_needs: { value: ['hubspot', 'docusign'], quotes: ['HubSpot', 'DocuSign'] },
      urgency: { value: 'high', quotes: ['we needed this yesterday'] },
      industry: { value: 'legal', quotes: ["We're a law firm"] },
    },
  };
}

export const answerText = (a: Record<string, unknown> = goodAnswer()) => JSON.stringify(a);
