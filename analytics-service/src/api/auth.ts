/**
 * Bearer-token auth for the API and the dashboard (`/healthz` stays open).
 *
 * - API clients send `Authorization: Bearer <ANALYTICS_API_TOKEN>`.
 * - A browser opens `/dashboard?token=<token>` once: the token is checked, an HttpOnly,
 *   SameSite=Strict cookie is set and the browser is redirected to the same URL without the token
 *   (so it leaves the address bar and history). The cookie holds an HMAC of the token, never the
 *   token itself. Without a valid cookie the dashboard answers 401 with a small login form.
 * - The cookie is accepted for GET requests only; `POST /api/retention` needs the header.
 *
 * Comparisons use `crypto.timingSafeEqual` over SHA-256 digests (equal lengths whatever the input).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const AUTH_COOKIE = 'signalroom_dashboard';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The cookie value that stands for `token` (an HMAC keyed by the token, so it reveals nothing). */
export function cookieValueFor(token: string): string {
  return createHmac('sha256', token).update('signalroom-dashboard-v1').digest('base64url');
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1]?.trim() ?? null;
}

export function cookieFrom(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type AuthVerdict = 'ok' | 'missing' | 'invalid';

export interface AuthInput {
  authorization: string | undefined;
  cookie: string | undefined;
  method: string;
}

/** Checks a request's credentials against the configured token. */
export function checkAuth(token: string, req: AuthInput): AuthVerdict {
  const bearer = bearerToken(req.authorization);
  if (bearer !== null) return safeEqual(bearer, token) ? 'ok' : 'invalid';
  const cookie = cookieFrom(req.cookie, AUTH_COOKIE);
  if (cookie !== null && (req.method === 'GET' || req.method === 'HEAD')) {
    return safeEqual(cookie, cookieValueFor(token)) ? 'ok' : 'invalid';
  }
  return 'missing';
}

export function authCookieHeader(token: string, secure: boolean): string {
  return `${AUTH_COOKIE}=${cookieValueFor(token)}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
