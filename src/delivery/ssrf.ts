// Server-side request forgery guard. Receivers must be public: every connection (every attempt,
// since each new socket resolves again) checks the addresses the host name resolves to, and only
// connects to public unicast ones, unless an operator listed the address's network in
// HOOKLINE_SSRF_ALLOW. Checking at connect time, not at webhook creation, defeats DNS rebinding.
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

export class RefusedAddressError extends Error {
  readonly code = 'HOOKLINE_REFUSED_ADDRESS';
}

export interface AddressPolicy {
  /** Why the address may not be connected to, or undefined when it may. */
  refusal(address: string): string | undefined;
}

export function parseCidrList(text: string): [Addr, number][] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const cidr = ipaddr.isValid(entry) ? `${entry}/${ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128}` : entry;
      if (!ipaddr.isValidCIDR(cidr)) throw new Error(`'${cidr}' is not an address or CIDR range such as 10.0.0.0/8 or ::1/128`);
      const [addr, bits] = ipaddr.parseCIDR(cidr);
      return [unwrap(addr), addr.kind() === 'ipv6' && unwrap(addr).kind() === 'ipv4' ? bits - 96 : bits];
    });
}

function unwrap(addr: Addr): Addr {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private-network address',
  linkLocal: 'a link-local address (this includes cloud metadata services)',
  carrierGradeNat: 'a carrier-grade NAT address',
  uniqueLocal: 'a unique-local IPv6 address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
};

export function addressPolicy(allow: [Addr, number][]): AddressPolicy {
  return {
    refusal(address) {
      if (!ipaddr.isValid(address)) return `'${address}' is not an IP address`;
      const parsed = ipaddr.parse(address);
      const addr = unwrap(parsed);
      if (allow.some(([net, bits]) => net.kind() === addr.kind() && addr.match([net, bits] as [Addr, number]))) return undefined;
      const range = addr.range();
      if (range === 'unicast') return undefined;
      const mapped = addr !== parsed ? 'an IPv4-mapped IPv6 form of ' : '';
      return `${address} is ${mapped}${RANGE_NAMES[range] ?? `a non-public address (${range})`}, not a public one`;
    },
  };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A dns.lookup replacement for net/tls.connect: resolves the name, keeps only the addresses the
 * policy allows, and fails with RefusedAddressError when none is left.
 */
export function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const allowed = addresses.filter((a) => policy.refusal(a.address) === undefined);
      if (allowed.length === 0) {
        const why = addresses.map((a) => policy.refusal(a.address)).join('; ');
        return callback(new RefusedAddressError(`refused to connect to ${hostname}: ${why}`), []);
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** For a host written as an IP literal, where connect() does no lookup: the refusal, if any. */
export function literalRefusal(policy: AddressPolicy, host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '');
  return net.isIP(bare) ? policy.refusal(bare) : undefined;
}
