import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../functions/commons/errors.ts';
import { withErrorMapping } from '../../../functions/http/edge.ts';
import { Router } from '../../../functions/http/router.ts';
import { textResult } from '../../../functions/http/types.ts';
import { MethodNotAllowedError, RouteNotFoundError } from '../../../functions/commons/errors.ts';
import { event } from './support.ts';

const router = new Router()
  .get('/l/:token', async ({ params, route }) => textResult(200, `show ${params.token} via ${route}`))
  .post('/l/:token', async ({ params }) => textResult(200, `act ${params.token}`))
  .get('/aanmelden/:careType/stap/:step', async ({ params }) => textResult(200, JSON.stringify(params)))
  .get('/', async () => textResult(200, 'home'));

describe('router', () => {
  it('matches method and pattern and decodes parameters', async () => {
    expect((await router.handle(event('GET', '/l/abc.def'))).body).toBe('show abc.def via /l/:token');
    expect((await router.handle(event('POST', '/l/abc'))).body).toBe('act abc');
    expect((await router.handle(event('GET', '/aanmelden/zg%20x/stap/2'))).body).toBe('{"careType":"zg x","step":"2"}');
    expect((await router.handle(event('GET', '/'))).body).toBe('home');
  });

  it('serves HEAD from the GET route', async () => {
    expect((await router.handle(event('HEAD', '/l/abc'))).statusCode).toBe(200);
  });

  it('throws 404 for unknown paths, empty parameters, trailing slashes and bad escapes', async () => {
    for (const path of ['/x', '/l/', '/l/abc/', '/l/%E0%A4%A', '/l']) {
      await expect(router.handle(event('GET', path)), path).rejects.toBeInstanceOf(RouteNotFoundError);
    }
    await expect(router.handle(event('GET', '/x'))).rejects.not.toBeInstanceOf(NotFoundError);
  });

  it('throws 405 with the allowed methods for a known path', async () => {
    await expect(router.handle(event('DELETE', '/l/abc'))).rejects.toMatchObject({
      httpStatus: 405,
      allow: ['GET', 'HEAD', 'POST'],
    });
    const result = await withErrorMapping(router.handle)(event('PUT', '/l/abc'));
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('GET, HEAD, POST');
    expect(new MethodNotAllowedError(['GET']).httpStatus).toBe(405);
  });
});
