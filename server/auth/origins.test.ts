import { describe, expect, it } from 'vitest';
import { createOriginCheck } from './origins.js';

describe('createOriginCheck', () => {
  const listed = createOriginCheck({ allowedOrigins: ['https://app.example.com', 'http://localhost:8787'], demoMode: false });

  it('matches listed origins exactly', () => {
    expect(listed('https://app.example.com')).toBe(true);
    expect(listed('http://localhost:8787')).toBe(true);
    for (const origin of ['https://app.example.com:443x', 'https://app.example.com/', 'https://APP.example.com', 'http://app.example.com', 'https://app.example.com.evil.test', 'https://evil.test/https://app.example.com', 'http://localhost:3000', 'null', '']) {
      expect(listed(origin), origin).toBe(false);
    }
  });

  it('lets any loopback port in only in demo mode', () => {
    const demo = createOriginCheck({ allowedOrigins: [], demoMode: true });
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:5173', 'http://[::1]:8080', 'http://localhost']) expect(demo(origin), origin).toBe(true);
    for (const origin of ['https://localhost.evil.test', 'http://localhost:3000.evil.test', 'http://localhost@evil.test', 'http://10.0.0.1:3000']) expect(demo(origin), origin).toBe(false);
  });
});
