// Where a notification may go (README.md, "Notifications (webhooks)"): public addresses only, unless the operator allows
// private ones. Checked at send time, after DNS resolution, and the connection goes to the very
// address that was checked (a lookup that refuses), so a name that re-resolves cannot slip past.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, isIPv4, type LookupFunction } from 'node:net';

/** Why an address is refused; 'public' is the one class that is always allowed. */
export type AddressClass = 'public' | 'loopback' | 'private' | 'shared (CGNAT)' | 'link-local' | 'unique-local' | 'unspecified' | 'multicast' | 'reserved';

export class AddressRefusedError extends Error {
  override name = 'AddressRefusedError';
}

/** Reachable only by allowing private receivers: everything but public addresses. */
export function classifyAddress(ip: string): AddressClass {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return classifyIPv4(bare.split('.').map(Number));
  const bytes = ipv6Bytes(bare);
  if (!bytes) return 'reserved';
  return classifyIPv6(bytes);
}

/** The reason `ip` may not be sent to, or null when it may. */
export function refusalOf(ip: string, allowPrivate: boolean): AddressClass | null {
  if (allowPrivate) return null;
  const kind = classifyAddress(ip);
  return kind === 'public' ? null : kind;
}

/** Only http and https, and an IP literal is checked here (Node connects to it without a lookup). */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AddressRefusedError('notify_url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AddressRefusedError(`notify_url must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const refused = refusalOf(host, allowPrivate);
    if (refused) throw refusal(url.host, host, refused);
  }
  return url;
}

/**
 * A lookup for node:http(s) that resolves the name, refuses it when any address it resolves to
 * is not allowed, and hands the connection exactly the addresses it checked.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    const family = typeof options.family === 'number' ? options.family : 0;
    dnsLookup(hostname, { all: true, family, ...(options.hints !== undefined ? { hints: options.hints } : {}) }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.map((a) => ({ address: a.address, refused: refusalOf(a.address, allowPrivate) })).find((a) => a.refused);
      if (bad) return callback(refusal(hostname, bad.address, bad.refused!), '', 0);
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} resolves to no address`), { code: 'ENOTFOUND' }), '', 0);
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

function refusal(host: string, address: string, kind: AddressClass): AddressRefusedError {
  const where = host === address ? address : `${host} (${address})`;
  return new AddressRefusedError(`notification not sent: ${where} is a ${kind} address; Baton sends only to public addresses unless BATON_ALLOW_PRIVATE_WEBHOOKS=1`);
}

function inRange(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((bytes[i >> 3] & mask) !== (prefix[i >> 3] & mask)) return false;
  }
  return true;
}

const IPV4_RANGES: [number[], number, AddressClass][] = [
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'shared (CGNAT)'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'reserved'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

function classifyIPv4(bytes: number[]): AddressClass {
  return IPV4_RANGES.find(([prefix, bits]) => inRange(bytes, prefix, bits))?.[2] ?? 'public';
}

const IPV6_RANGES: [number[], number, AddressClass][] = [
  // Local-use NAT64 (RFC 8215): translated by a network's own NAT64, to whatever IPv4 it embeds
  // wherever its prefix length puts it; never a public destination of its own.
  [[0, 0x64, 0xff, 0x9b, 0, 0x01], 48, 'reserved'],
  // Teredo (its IPv4 is obfuscated), documentation, discard-only.
  [[0x20, 0x01, 0, 0], 32, 'reserved'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved'],
  [[0x01, 0, 0, 0, 0, 0, 0, 0], 64, 'reserved'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'reserved'],
  [[0xfc, 0x00], 7, 'unique-local'],
  [[0xff, 0x00], 8, 'multicast'],
];

function classifyIPv6(b: number[]): AddressClass {
  const zerosUpTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zerosUpTo(16)) return 'unspecified';
  if (zerosUpTo(15) && b[15] === 1) return 'loopback';
  // IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, translated ::ffff:0:a.b.c.d, compatible ::a.b.c.d,
  // NAT64 64:ff9b::a.b.c.d, 6to4
  // 2002:aabb:ccdd::): judged by the IPv4 address they reach.
  if (zerosUpTo(10) && b[10] === 0xff && b[11] === 0xff) return classifyIPv4(b.slice(12));
  // IPv4-translated ::ffff:0:a.b.c.d (RFC 2765, SIIT).
  if (zerosUpTo(8) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) return classifyIPv4(b.slice(12));
  if (zerosUpTo(12)) return classifyIPv4(b.slice(12));
  if (inRange(b, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return classifyIPv4(b.slice(12));
  if (b[0] === 0x20 && b[1] === 0x02) return classifyIPv4(b.slice(2, 6));
  return IPV6_RANGES.find(([prefix, bits]) => inRange(b, prefix, bits))?.[2] ?? 'public';
}

/** 16 bytes of an IPv6 address (with :: and a trailing dotted quad), or null if it is not one. */
function ipv6Bytes(text: string): number[] | null {
  if (isIP(text) !== 6) return null;
  // A trailing dotted quad is two 16-bit words.
  const hex = text.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_m, a: string, b: string, c: string, d: string) => `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const words = (part: string) => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const [left, right] = hex.includes('::') ? hex.split('::') : [hex, ''];
  const leftWords = words(left);
  const rightWords = words(right);
  const all = [...leftWords, ...Array<number>(8 - leftWords.length - rightWords.length).fill(0), ...rightWords];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}
