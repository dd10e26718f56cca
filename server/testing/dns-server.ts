import dns2 from 'dns2';

const { Packet } = dns2;
/** DNS response code for "no such name" (dns2's typings lack Packet.RCODE). */
const NXDOMAIN = 3;

/** The records of one name. A listed name exists (NOERROR even without records); any other is NXDOMAIN. */
export interface DnsNameRecords {
  A?: string[];
  AAAA?: string[];
  MX?: Array<{ exchange: string; priority: number }>;
  SRV?: Array<{ target: string; port: number; priority?: number; weight?: number }>;
  TXT?: string[];
  /** An alias: answered for CNAME questions (A/AAAA questions still get this entry's own A/AAAA). */
  CNAME?: string;
  /** Never answer queries for this name: a resolver that hangs. */
  hang?: boolean;
}

/**
 * Public addresses (example.com's, outside every blocked range) for saved mail hosts that a test
 * only has looked up, never connected to: `POST /accounts/:id/credentials` checks the saved names
 * again and answers the checked address, so in the default mode a saved name must resolve to a
 * public address (loopback is `409 BLOCKED_ADDRESS`, a dead DNS `503 HOST_CHECK_UNAVAILABLE`).
 * Never give these to a name a test connects to (`POST /test`, detection): nothing may leave this machine.
 */
export const LOOKED_UP_ONLY_IMAP_ADDRESS = '93.184.216.34';
export const LOOKED_UP_ONLY_SMTP_ADDRESS = '93.184.216.35';

/** Records by lower-case name without trailing dot; `*.example.com` matches any name below it. */
export type DnsRecords = Record<string, DnsNameRecords>;

export interface TestDnsServer {
  port: number;
  /** `127.0.0.1:<port>`, ready for EMAIL_WIZARD_DNS_SERVERS or `SafeNetwork({ dnsServers })`. */
  address: string;
  /** Every question asked so far, as `TYPE name`. */
  readonly queries: string[];
  /** Replaces the whole zone. */
  setRecords(records: DnsRecords): void;
  close(): Promise<void>;
}

const TYPE_NAMES: Record<number, string> = {
  [Packet.TYPE.A]: 'A',
  [Packet.TYPE.AAAA]: 'AAAA',
  [Packet.TYPE.MX]: 'MX',
  [Packet.TYPE.SRV]: 'SRV',
  [Packet.TYPE.TXT]: 'TXT',
  [Packet.TYPE.CNAME]: 'CNAME',
};

function lookup(records: DnsRecords, name: string): DnsNameRecords | undefined {
  const exact = records[name];
  if (exact) return exact;
  const labels = name.split('.');
  for (let i = 1; i < labels.length; i += 1) {
    const wildcard = records[`*.${labels.slice(i).join('.')}`];
    if (wildcard) return wildcard;
  }
  return undefined;
}

/**
 * A DNS server on 127.0.0.1 (UDP, ephemeral port) serving A, AAAA, MX, SRV, TXT and CNAME records from
 * a plain object, NXDOMAIN for every other name, and silence for names marked `hang`. Starts in
 * milliseconds inside the test process.
 *
 * @example
 * const dns = await startDnsServer({ 'example.com': { MX: [{ exchange: 'mx.example.com', priority: 10 }] } });
 * const net = new SafeNetwork({ dnsServers: [dns.address], allowPrivateNetworks: true });
 * await dns.close();
 */
export async function startDnsServer(initial: DnsRecords = {}): Promise<TestDnsServer> {
  let records = normalise(initial);
  const queries: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      if (!question) return send(response);
      const name = question.name.toLowerCase().replace(/\.$/, '');
      const type = TYPE_NAMES[question.type] ?? String(question.type);
      queries.push(`${type} ${name}`);
      const entry = lookup(records, name);
      if (entry?.hang) return;
      if (!entry) {
        response.header.rcode = NXDOMAIN;
        return send(response);
      }
      const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
      const answers: object[] = [];
      if (type === 'A') for (const address of entry.A ?? []) answers.push({ ...base, type: Packet.TYPE.A, address });
      if (type === 'AAAA') for (const address of entry.AAAA ?? []) answers.push({ ...base, type: Packet.TYPE.AAAA, address });
      if (type === 'MX') for (const mx of entry.MX ?? []) answers.push({ ...base, type: Packet.TYPE.MX, exchange: mx.exchange, priority: mx.priority });
      if (type === 'CNAME' && entry.CNAME) answers.push({ ...base, type: Packet.TYPE.CNAME, domain: entry.CNAME });
      if (type === 'TXT') for (const data of entry.TXT ?? []) answers.push({ ...base, type: Packet.TYPE.TXT, data });
      if (type === 'SRV') {
        for (const srv of entry.SRV ?? []) {
          answers.push({ ...base, type: Packet.TYPE.SRV, target: srv.target, port: srv.port, priority: srv.priority ?? 0, weight: srv.weight ?? 0 });
        }
      }
      response.answers.push(...(answers as typeof response.answers));
      send(response);
    },
  });
  server.on('requestError', () => {});
  server.on('error', () => {});
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const { udp } = server.addresses() as { udp: { port: number } };
  return {
    port: udp.port,
    address: `127.0.0.1:${udp.port}`,
    queries,
    setRecords(next) {
      records = normalise(next);
    },
    close: async () => {
      await server.close();
    },
  };
}

function normalise(records: DnsRecords): DnsRecords {
  return Object.fromEntries(Object.entries(records).map(([name, entry]) => [name.toLowerCase().replace(/\.$/, ''), entry]));
}
