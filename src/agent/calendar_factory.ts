import { BookingService } from './calendar/booking_service.js';
import { CalComCalendar } from './calendar/calcom_calendar.js';
import { LocalCalendar } from './calendar/local_calendar.js';
import type { CalendarProvider } from './calendar/types.js';
import type { AgentConfig } from './config.js';

export function buildCalendar(config: Pick<AgentConfig, 'calendar' | 'dataDir'>): CalendarProvider {
  const c = config.calendar;
  return c.provider === 'calcom'
    ? new CalComCalendar({ apiKey: c.apiKey, eventTypeId: c.eventTypeId, baseUrl: c.baseUrl })
    : new LocalCalendar({ dataDir: config.dataDir });
}

export { BookingService };
