import { describe, expect, it } from 'vitest';
import { problemFromResponse } from './problem.js';

describe('problemFromResponse', () => {
  it('keeps the server problem details', async () => {
    const body = {
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'alerts:write required',
      requestId: 'r-1',
    };
    const response = new Response(JSON.stringify(body), {
      status: 403,
      headers: { 'content-type': 'application/problem+json' },
    });
    const error = await problemFromResponse(response);
    expect(error.problem).toEqual(body);
    expect(error.message).toBe('alerts:write required');
  });

  it('builds a problem from the status line when a proxy answers with HTML', async () => {
    const response = new Response('<html>bad gateway</html>', {
      status: 502,
      statusText: 'Bad Gateway',
      headers: { 'content-type': 'text/html' },
    });
    expect((await problemFromResponse(response)).problem).toEqual({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
    });
  });

  it('survives a truncated JSON body', async () => {
    const response = new Response('{"title": "Unavail', {
      status: 503,
      headers: { 'content-type': 'application/json' },
    });
    const error = await problemFromResponse(response);
    expect(error.problem.status).toBe(503);
    expect(error.problem.title).toBe('HTTP 503');
  });

  it('ignores fields of the wrong type', async () => {
    const response = new Response(JSON.stringify({ title: 42, status: 'x', detail: ['a'] }), {
      status: 400,
      headers: { 'content-type': 'application/problem+json' },
    });
    expect((await problemFromResponse(response)).problem).toEqual({
      type: 'about:blank',
      title: 'HTTP 400',
      status: 400,
    });
  });
});
