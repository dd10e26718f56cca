// The system programs the test suites run for real, and how `npm test` makes them available:
// each is found on the machine, installed once with apt-get when we are root, or named in one
// line with the command that installs it. A missing peer is never a quiet skip.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const POSTGRES_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Every peer: what needs it, the Debian package that brings it, and how to tell it is there. */
export const PEERS = [
  { name: 'Chromium', pkg: 'chromium', why: 'browser tests (web-test-runner, journeys)', present: () => isExecutable(process.env.CHROME_PATH ?? '/usr/bin/chromium') },
  { name: 'Dovecot', pkg: 'dovecot-imapd', why: 'a real IMAP server for the connection tests', present: () => onPath('dovecot') },
  { name: 'PostgreSQL', pkg: 'postgresql', why: 'the storage suites run on SQLite and PostgreSQL', present: () => isExecutable(`${POSTGRES_BIN}/initdb`) && isExecutable(`${POSTGRES_BIN}/pg_ctl`) },
  { name: 'OpenSSL', pkg: 'openssl', why: 'the test certificate authority', present: () => onPath('openssl') },
  { name: 'iproute2', pkg: 'iproute2', why: 'loopback-only network namespaces for the SSRF suites', present: () => onPath('ip') },
  { name: 'runuser', pkg: 'util-linux', why: 'PostgreSQL runs as "postgres" when the tests run as root', present: () => onPath('runuser') },
];

/** The peers this machine lacks. */
export function missingPeers() {
  return PEERS.filter((peer) => !peer.present());
}

/** The one line that tells a person what to install. */
export function installHint(missing) {
  const packages = missing.map((peer) => peer.pkg).join(' ');
  return `npm test needs ${missing.map((peer) => peer.name).join(', ')}: install them with "sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages}", then run npm test again.`;
}

/**
 * Makes every peer available: installs what is missing when this process can (root with
 * apt-get), saying what and why; otherwise returns the one line to show. Returns undefined when
 * everything is there.
 */
export function ensurePeers({ log = console.log } = {}) {
  const missing = missingPeers();
  if (missing.length === 0) return undefined;
  const canInstall = process.getuid?.() === 0 && onPath('apt-get');
  if (!canInstall) return installHint(missing);
  for (const peer of missing) log(`Installing Debian package ${peer.pkg} (${peer.name}: ${peer.why}).`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0
      ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((peer) => peer.pkg)], { stdio: ['ignore', 'ignore', 'inherit'], env })
      : update;
  const still = missingPeers();
  if (install.status !== 0 || still.length > 0) return `apt-get could not install ${missing.map((peer) => peer.pkg).join(' ')}. ${installHint(still.length ? still : missing)}`;
  return undefined;
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
