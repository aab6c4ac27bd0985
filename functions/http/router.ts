import { method, type HttpEvent, type HttpResult } from './types.ts';
import { MethodNotAllowedError, RouteNotFoundError } from '../commons/errors.ts';

/**
 * Method + path pattern routing. Patterns are literal segments and `:name`
 * parameters, each matching one non-empty segment: `/l/:token`. Unknown paths
 * throw `RouteNotFoundError` (404), known paths with another method
 * `MethodNotAllowedError` (405); the edge (edge.ts) renders both.
 * HEAD is served by the GET route (Node drops the body).
 */
export interface RouteRequest {
  event: HttpEvent;
  method: string;
  /** Decoded path parameters. */
  params: Record<string, string>;
  /** The pattern that matched, e.g. `/l/:token`: safe to log, unlike the path. */
  route: string;
}
export type RouteHandler = (request: RouteRequest) => Promise<HttpResult>;

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: RouteHandler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: RouteHandler): this {
    if (!pattern.startsWith('/')) throw new Error(`route pattern must start with "/": ${pattern}`);
    this.routes.push({ method: method.toUpperCase(), pattern, segments: split(pattern), handler });
    return this;
  }

  get(pattern: string, handler: RouteHandler): this {
    return this.on('GET', pattern, handler);
  }

  post(pattern: string, handler: RouteHandler): this {
    return this.on('POST', pattern, handler);
  }

  /** An `HttpHandler`: pass it to `withErrorMapping`. */
  readonly handle = async (event: HttpEvent): Promise<HttpResult> => {
    const requested = method(event);
    const lookup = requested === 'HEAD' ? 'GET' : requested;
    const segments = split(event.rawPath ?? event.requestContext.http.path);
    const allow = new Set<string>();
    for (const route of this.routes) {
      const params = match(route.segments, segments);
      if (!params) continue;
      if (route.method === lookup) return route.handler({ event, method: requested, params, route: route.pattern });
      allow.add(route.method);
      if (route.method === 'GET') allow.add('HEAD');
    }
    if (allow.size > 0) throw new MethodNotAllowedError([...allow].sort());
    throw new RouteNotFoundError('no route');
  };
}

/** '/l/abc' → ['l', 'abc']; '/' → ['']. A trailing slash is a different path. */
const split = (path: string): string[] => path.split('/').slice(1);

function match(pattern: string[], path: string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i];
    const got = path[i];
    if (want.startsWith(':')) {
      if (got === '') return undefined;
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined; // malformed %-escape: no such path
      }
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}
