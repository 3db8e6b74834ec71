import { describe, expect, it } from 'vitest';
import { parseControlUrl } from './control-url.js';

describe('parseControlUrl', () => {
  it('reads host, port, gRPC target and SNI name', () => {
    expect(parseControlUrl('grpcs://cp.example.net:8443')).toEqual({
      url: 'grpcs://cp.example.net:8443',
      host: 'cp.example.net',
      port: 8443,
      target: 'cp.example.net:8443',
      servername: 'cp.example.net',
    });
    expect(parseControlUrl('grpcs://cp.example.net').port).toBe(443);
    const v4 = parseControlUrl('grpcs://127.0.0.1:9000/');
    expect([v4.target, v4.servername]).toEqual(['127.0.0.1:9000', undefined]);
    const v6 = parseControlUrl('grpcs://[::1]:9000');
    expect([v6.host, v6.target, v6.url]).toEqual(['::1', '[::1]:9000', 'grpcs://[::1]:9000']);
  });

  it('refuses plaintext, other schemes, paths, credentials and non-URLs', () => {
    expect(() => parseControlUrl('grpc://cp:1')).toThrow(/must use grpcs/);
    expect(() => parseControlUrl('https://cp:1')).toThrow(/must use grpcs/);
    expect(() => parseControlUrl('grpcs://cp:1/api')).toThrow(/host:port only/);
    expect(() => parseControlUrl('grpcs://u:p@cp:1')).toThrow(/host:port only/);
    expect(() => parseControlUrl('cp:1 ')).toThrow();
    expect(() => parseControlUrl('not a url')).toThrow(/not a URL/);
  });
});
