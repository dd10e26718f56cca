import { describe, expect, it } from 'vitest';
import { Conclusion, runSources, type ScheduleEvent, type SchedulableSource, type SourceHooks } from './scheduler.js';
import type { Finding } from './finding.js';

const answer = (source: Finding['source'], host: string, rank = 1): Finding => ({
  source,
  rank,
  confidence: 'medium',
  imap: { host, port: 993, security: 'tls', username: '%EMAILADDRESS%' },
  smtp: null,
});

/** A fake source that answers (or fails, or hangs) when the test says so. */
function fake(name: string, options: { fallback?: boolean } = {}) {
  let settle!: { resolve: (f: Finding[]) => void; reject: (e: unknown) => void };
  let hooks: SourceHooks | undefined;
  let runs = 0;
  const source: SchedulableSource<object> = {
    name,
    ...options,
    run: (_ctx, h) => {
      runs += 1;
      hooks = h;
      return new Promise<Finding[]>((resolve, reject) => (settle = { resolve, reject }));
    },
  };
  return {
    source,
    get runs() {
      return runs;
    },
    get hooks() {
      return hooks;
    },
    resolve: (f: Finding[]) => settle.resolve(f),
    reject: (e: unknown) => settle.reject(e),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('the detection scheduler', () => {
  it('runs ordinary sources at once and ends when all have answered, without starting the fallback', async () => {
    const a = fake('a');
    const b = fake('b');
    const guess = fake('guess', { fallback: true });
    const events: ScheduleEvent[] = [];
    const run = runSources([a.source, b.source, guess.source], {}, { deadlineMs: 10_000, fallbackAfterMs: 10_000, onEvent: (e) => events.push(e) });
    await tick();
    expect([a.runs, b.runs, guess.runs]).toEqual([1, 1, 0]);
    a.resolve([answer('autoconfig', 'imap.a.test')]);
    b.resolve([]);
    const outcome = await run;
    expect(outcome.complete).toBe(true);
    expect(outcome.findings.map((f) => f.imap?.host)).toEqual(['imap.a.test']);
    expect(guess.runs).toBe(0);
    expect(events.filter((e) => e.status === 'end').map((e) => `${e.source}:${e.status === 'end' && e.found}`)).toEqual(['a:true', 'b:false']);
  });

  it('starts the fallback as soon as every other source ended empty', async () => {
    const a = fake('a');
    const guess = fake('guess', { fallback: true });
    const run = runSources([a.source, guess.source], {}, { deadlineMs: 10_000, fallbackAfterMs: 10_000 });
    await tick();
    a.reject(Object.assign(new Error('gone'), { code: 'DNS_NOT_FOUND' }));
    await tick();
    expect(guess.runs).toBe(1);
    guess.resolve([answer('guess', 'mail.x.test', 7)]);
    expect((await run).findings.map((f) => f.source)).toEqual(['guess']);
  });

  it('starts the fallback after its delay while a source hangs, and takes its answer without waiting for the hung one', async () => {
    const hung = fake('hung');
    const guess = fake('guess', { fallback: true });
    const events: ScheduleEvent[] = [];
    const run = runSources([hung.source, guess.source], {}, { deadlineMs: 10_000, fallbackAfterMs: 20, onEvent: (e) => events.push(e) });
    await new Promise((r) => setTimeout(r, 60));
    expect(guess.runs).toBe(1);
    guess.resolve([answer('guess', 'mail.x.test', 7)]);
    await tick();
    // The hung source could still outrank guessing, so the run waits for it (or the deadline)…
    hung.resolve([]);
    const outcome = await run;
    expect(outcome).toMatchObject({ complete: true, findings: [{ source: 'guess' }] });
  });

  it('stops a running fallback once a better source answers', async () => {
    const slow = fake('slow');
    const guess = fake('guess', { fallback: true });
    const run = runSources([slow.source, guess.source], {}, { deadlineMs: 10_000, fallbackAfterMs: 0 });
    await tick();
    expect(guess.runs).toBe(1);
    slow.resolve([answer('srv', 'imap.srv.test', 2)]);
    const outcome = await run;
    expect(outcome.findings.map((f) => f.source)).toEqual(['srv']);
    expect(guess.hooks?.signal.aborted).toBe(true);
  });

  it('at the deadline uses what the cut-off sources reported so far and says the outcome is incomplete', async () => {
    const hung = fake('hung');
    const guess = fake('guess', { fallback: true });
    const events: ScheduleEvent[] = [];
    const run = runSources([hung.source, guess.source], {}, { deadlineMs: 80, fallbackAfterMs: 0, onEvent: (e) => events.push(e) });
    await tick();
    guess.hooks?.partial([answer('guess', 'mail.x.test', 7)]);
    const outcome = await run;
    expect(outcome.complete).toBe(false);
    expect(outcome.findings.map((f) => f.imap?.host)).toEqual(['mail.x.test']);
    expect(hung.hooks?.signal.aborted).toBe(true);
    const ends = events.filter((e) => e.status === 'end');
    expect(ends).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'hung', error: 'TIMEOUT' }), expect.objectContaining({ source: 'guess', found: true, error: 'TIMEOUT' })]));
  });

  it('ends everything at once when a source concludes, ignoring the others’ partial reports', async () => {
    const mx = fake('mx');
    const other = fake('other');
    const guess = fake('guess', { fallback: true });
    const run = runSources([mx.source, other.source, guess.source], {}, { deadlineMs: 10_000, fallbackAfterMs: 10_000 });
    await tick();
    other.hooks?.partial([answer('autoconfig', 'imap.other.test')]);
    mx.reject(new Conclusion([{ source: 'mx', rank: 3, confidence: 'high', imap: null, smtp: null, notes: ['No mail here.'] }], 'DNS_NOT_FOUND'));
    const outcome = await run;
    expect(outcome.complete).toBe(true);
    expect(outcome.findings).toEqual([expect.objectContaining({ notes: ['No mail here.'] })]);
    expect(other.hooks?.signal.aborted).toBe(true);
    expect(guess.runs).toBe(0);
  });

  it('reports a failing source with its code and keeps the others', async () => {
    const bad = fake('bad');
    const good = fake('good');
    const events: ScheduleEvent[] = [];
    const run = runSources([bad.source, good.source], {}, { deadlineMs: 10_000, fallbackAfterMs: 10_000, onEvent: (e) => events.push(e), errorCode: () => 'MAPPED' });
    await tick();
    bad.reject(new Error('boom'));
    good.resolve([answer('srv', 'imap.good.test', 2)]);
    const outcome = await run;
    expect(outcome.findings.map((f) => f.imap?.host)).toEqual(['imap.good.test']);
    expect(events.find((e) => e.source === 'bad' && e.status === 'end')).toMatchObject({ found: false, error: 'MAPPED' });
  });

  it('with patience, ends that long after the first answer even while a better-ranked source hangs, as incomplete', async () => {
    const hung = fake('autoconfig');
    const mx = fake('mx');
    const events: ScheduleEvent[] = [];
    const run = runSources([hung.source, mx.source], {}, { deadlineMs: 10_000, fallbackAfterMs: 10_000, patienceMs: 30, onEvent: (e) => events.push(e) });
    await tick();
    mx.resolve([answer('mx', 'imap.gmail.com', 3)]);
    const outcome = await run;
    expect(outcome).toMatchObject({ complete: false, findings: [{ source: 'mx' }] });
    expect(hung.hooks?.signal.aborted).toBe(true);
    expect(events.find((e) => e.source === 'autoconfig' && e.status === 'end')).toMatchObject({ error: 'TIMEOUT' });
  });

  it('with patience, still ends at once (complete) when every source has answered', async () => {
    const a = fake('a');
    const b = fake('b');
    const run = runSources([a.source, b.source], {}, { deadlineMs: 10_000, fallbackAfterMs: 10_000, patienceMs: 5_000 });
    await tick();
    a.resolve([answer('srv', 'imap.a.test', 2)]);
    b.resolve([]);
    expect((await run).complete).toBe(true);
  });
});
