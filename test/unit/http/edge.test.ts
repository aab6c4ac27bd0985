import { describe, expect, it, vi } from 'vitest';
import { ConflictError, ValidationError } from '../../../functions/commons/errors.ts';
import { logger } from '../../../functions/commons/logger.ts';
import { withErrorMapping } from '../../../functions/http/edge.ts';
import type { HttpHandler } from '../../../functions/http/types.ts';
import { renderLinkError } from '../../../functions/links/pages.ts';
import { event } from './support.ts';

const failing =
  (error: unknown): HttpHandler =>
  async () => {
    throw error;
  };

describe('error mapping at the edge', () => {
  it('maps a domain error to its status', async () => {
    const result = await withErrorMapping(failing(new ConflictError('moved')))(event('POST', '/l/x'));
    expect(result.statusCode).toBe(409);
    expect(result.body).not.toContain('moved');
  });

  it('answers an unexpected error with a plain 500 and no stack trace or message', async () => {
    const error = new Error('db password is hunter2 for a.b@example.nl');
    const log = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const result = await withErrorMapping(failing(error))(event('GET', '/l/secret-token'));
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toMatch(/hunter2|at |Error|secret-token/);
    // Logged for us, without the path (it holds the token) and without email addresses.
    const logged = JSON.stringify(log.mock.calls);
    expect(logged).not.toContain('secret-token');
    expect(logged).not.toContain('a.b@example.nl');
    log.mockRestore();
  });

  it('uses the renderer it is given, e.g. the provider pages', async () => {
    const result = await withErrorMapping(failing(new ValidationError('bad multipart')), renderLinkError)(event('POST', '/l/x'));
    expect(result.statusCode).toBe(400);
    expect(result.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(result.body).toContain('Het formulier kon niet worden gelezen');
  });

  it('falls back to a plain 500 when the renderer itself fails', async () => {
    const log = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const result = await withErrorMapping(failing(new ConflictError('x')), () => {
      throw new Error('renderer broke');
    })(event('GET', '/'));
    expect(result.statusCode).toBe(500);
    log.mockRestore();
  });
});
