import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  key: string;
  cert: string;
  keyPath: string;
  certPath: string;
}

export interface TestCa {
  dir: string;
  cert: string;
  certPath: string;
  /** Issues a leaf certificate for the given DNS names (and 127.0.0.1), signed by this CA. */
  issue(names: string[], options?: { expired?: boolean }): TestCertificate;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/**
 * A throwaway certificate authority for tests, made with the openssl CLI. Servers under test
 * trust it through `NODE_EXTRA_CA_CERTS=<ca.certPath>` or an explicit `ca` option.
 */
export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'ecw-ca-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=email-config-wizard test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  let serial = 0;
  return {
    dir,
    cert: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    certPath: join(dir, 'ca.pem'),
    issue(names, options = {}) {
      serial += 1;
      const base = `leaf${serial}`;
      const altNames = [...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1'].join(',');
      writeFileSync(join(dir, `${base}.ext`), `subjectAltName=${altNames}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${names[0] ?? 'localhost'}`], dir);
      if (options.expired) {
        // `openssl x509` (3.0) cannot back-date; `openssl ca` can, given a minimal database.
        writeFileSync(join(dir, 'index.txt'), '');
        writeFileSync(join(dir, 'ca.cnf'), `[ca]\ndefault_ca=test\n[test]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial.txt\ndefault_md=sha256\npolicy=any\nunique_subject=no\n[any]\ncommonName=supplied\n`);
        writeFileSync(join(dir, 'serial.txt'), (0x1000 + serial).toString(16) + '\n');
        openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${base}.csr`, '-out', `${base}.pem`, '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extfile', `${base}.ext`, '-notext'], dir);
      } else {
        openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(1000 + serial), '-extfile', `${base}.ext`, '-out', `${base}.pem`, '-days', '2'], dir);
      }
      const keyPath = join(dir, `${base}.key`);
      const certPath = join(dir, `${base}.pem`);
      return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), keyPath, certPath };
    },
  };
}
