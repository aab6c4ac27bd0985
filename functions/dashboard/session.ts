/**
 * The loopback dashboard's own guard. It listens on 127.0.0.1 only, but other
 * local users and any web page the operator visits can reach loopback too, so:
 *
 * - a random session token, printed in the URL `inkoop dashboard` opens
 *   (`/?session=<token>`), is swapped for an HttpOnly, SameSite=Strict cookie
 *   and every other request must carry that cookie;
 * - every POST needs the CSRF token (form field `csrf` or header
 *   `x-csrf-token`) and, when the browser sends one, a same-origin `Origin`;
 * - the Host header must name loopback (DNS rebinding: a foreign name that
 *   resolves to 127.0.0.1 gets nothing).
 *
 * The cookie name carries the port: cookies are per host, not per port, and a
 * second dashboard (or another local server) must not see or clobber this one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, ForbiddenError } from '../commons/errors.ts';
import { bodyBytes, header, mediaType, method, seeOther, type HttpEvent, type HttpHandler, type HttpResult } from '../http/types.ts';

export class UnauthenticatedError extends DomainError {
  readonly code = 'Unauthenticated';
  readonly httpStatus = 401;
}

export interface DashboardSession {
  /** Secret: goes in the URL once, then in the cookie. */
  readonly token: string;
  /** Put in pages (forms, meta tag); derived from the token. */
  readonly csrf: string;
}

export const SESSION_PARAM = 'session';
export const CSRF_FIELD = 'csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function createSession(token: string = randomBytes(32).toString('base64url')): DashboardSession {
  if (token.length < 32) throw new Error('a dashboard session token needs at least 32 characters');
  return { token, csrf: createHmac('sha256', token).update('csrf').digest('base64url') };
}

/** The URL to open: `<base>/?session=<token>`. */
export const entryUrl = (baseUrl: string, session: DashboardSession): string =>
  `${baseUrl.replace(/\/$/, '')}/?${SESSION_PARAM}=${encodeURIComponent(session.token)}`;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function hostOf(event: HttpEvent): { name: string; port: string } {
  const host = header(event, 'host') ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return { name: (match?.[1] ?? '').toLowerCase(), port: match?.[2] ?? '' };
}

export const cookieName = (event: HttpEvent): string => `inkoop_dashboard_${hostOf(event).port || 'default'}`;

function cookieValue(event: HttpEvent, name: string): string | undefined {
  const cookies = event.cookies ?? header(event, 'cookie')?.split(';') ?? [];
  for (const c of cookies) {
    const [k, ...v] = c.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

const same = (a: string | undefined, b: string): boolean => {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function csrfOf(event: HttpEvent): string | undefined {
  const fromHeader = header(event, CSRF_HEADER);
  if (fromHeader) return fromHeader;
  if (mediaType(header(event, 'content-type')) !== 'application/x-www-form-urlencoded') return undefined;
  return new URLSearchParams(bodyBytes(event).toString('utf8')).get(CSRF_FIELD) ?? undefined;
}

function checkPost(event: HttpEvent, session: DashboardSession): void {
  const origin = header(event, 'origin');
  if (origin && origin !== `http://${header(event, 'host')}`) throw new ForbiddenError('Cross-origin request refused');
  const site = header(event, 'sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw new ForbiddenError('Cross-site request refused');
  if (!same(csrfOf(event), session.csrf)) throw new ForbiddenError('Missing or wrong CSRF token');
}

/** Wraps the dashboard handler: the session exchange, the cookie check, the POST checks. */
export function withSession(handler: HttpHandler, session: DashboardSession): HttpHandler {
  return async (event): Promise<HttpResult> => {
    if (!LOOPBACK_HOSTS.has(hostOf(event).name)) throw new ForbiddenError('This dashboard answers only on loopback addresses');
    const offered = event.queryStringParameters?.[SESSION_PARAM];
    if (offered !== undefined) {
      if (!same(offered, session.token)) throw new UnauthenticatedError('Unknown session');
      // Swap the URL token for a cookie and drop it from the address bar.
      const rest = new URLSearchParams(event.rawQueryString);
      rest.delete(SESSION_PARAM);
      const query = rest.toString();
      return {
        ...seeOther(`${event.rawPath}${query ? `?${query}` : ''}`),
        cookies: [`${cookieName(event)}=${session.token}; Path=/; HttpOnly; SameSite=Strict`],
      };
    }
    if (!same(cookieValue(event, cookieName(event)), session.token)) {
      throw new UnauthenticatedError('Open the address `inkoop dashboard` printed (it carries the session token)');
    }
    if (method(event) !== 'GET' && method(event) !== 'HEAD') checkPost(event, session);
    return handler(event);
  };
}
