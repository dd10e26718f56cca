import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const peers = fileURLToPath(new URL('./peers.mjs', import.meta.url));

/** Runs scripts/peers.mjs in a child whose environment hides (or shows) the peers. */
function inChild(env: Record<string, string>, code: string): unknown {
  const script = `import(${JSON.stringify(peers)}).then((m) => { ${code} })`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...env }, encoding: 'utf8' });
  return JSON.parse(output);
}

describe('the peers npm test needs', () => {
  it('names every missing peer and the one command that installs them', () => {
    const hidden = { PATH: '/nonexistent', CHROME_PATH: '/nonexistent/chromium', PG_BIN: '/nonexistent/pg' };
    const result = inChild(hidden, `const missing = m.missingPeers(); process.stdout.write(JSON.stringify({ names: missing.map((p) => p.pkg), hint: m.installHint(missing) }))`) as {
      names: string[];
      hint: string;
    };
    expect(result.names).toEqual(['chromium', 'dovecot-imapd', 'postgresql', 'openssl', 'iproute2', 'util-linux']);
    expect(result.hint).toContain('apt-get install -y --no-install-recommends chromium dovecot-imapd postgresql openssl iproute2 util-linux');
    expect(result.hint.split('\n')).toHaveLength(1);
  });

  it('finds nothing missing on this machine, where npm test has installed them', () => {
    const result = inChild({ PATH: process.env.PATH ?? '' }, `process.stdout.write(JSON.stringify(m.missingPeers().map((p) => p.pkg)))`);
    expect(result).toEqual([]);
  });
});
