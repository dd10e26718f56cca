import { describe, expect, it } from 'vitest';
import { createLogger, createMemoryLogger, redact } from './index.js';

describe('logger', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const lines: string[] = [];
    createLogger({ sink: (line) => lines.push(line) }).info('listening', { port: 8787 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'info', msg: 'listening', port: 8787 });
  });

  it('drops lines below its level', () => {
    const logger = createMemoryLogger('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(logger.lines.map((l) => JSON.parse(l).msg)).toEqual(['loud']);
  });

  it('carries child fields into every line', () => {
    const logger = createMemoryLogger();
    logger.child({ requestId: 'r1' }).child({ accountId: 'acme' }).error('failed');
    expect(JSON.parse(logger.lines[0]!)).toMatchObject({ requestId: 'r1', accountId: 'acme', level: 'error' });
  });

  it('redacts every secret-looking field, however deep, and in child fields', () => {
    const logger = createMemoryLogger();
    logger.child({ authorization: 'Bearer abc' }).info('x', {
      password: 'p', smtpPassword: 'p2', accessToken: 't', refresh_token: 'r', clientSecret: 's', code: 'c', codeVerifier: 'v', apiKey: 'k', cookie: 'ck',
      nested: { deeper: [{ pass: 'p3' }] }, host: 'imap.test',
    });
    const line = logger.lines[0]!;
    expect(line).not.toMatch(/"(p|p2|p3|t|r|s|c|v|k|ck|Bearer abc)"/);
    expect(JSON.parse(line)).toMatchObject({ host: 'imap.test', password: '[redacted]', nested: { deeper: [{ pass: '[redacted]' }] } });
  });

  it('logs an error as its name, message and code only', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', config: { password: 'p' } });
    expect(redact({ error })).toEqual({ error: { name: 'Error', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' } });
  });
});
