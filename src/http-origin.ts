// Whether an HTTP request to a server on loopback comes from this machine's own pages: the Host
// must name loopback on the server's port (a DNS-rebinding page sends its own name) and an
// Origin, when the browser sends one, must too (another site's page calling the server).
import type { IncomingHttpHeaders } from 'node:http';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The Host values a loopback server on this port answers to. */
export function loopbackNames(port: number): string[] {
  return ['localhost', '127.0.0.1', '[::1]'].flatMap((name) => [`${name}:${port}`, name]);
}

export function isLoopbackOrigin(origin: string, port: number): boolean {
  try {
    const parsed = new URL(origin);
    return parsed.protocol === 'http:' && loopbackNames(port).includes(parsed.host.toLowerCase());
  } catch {
    return false;
  }
}

/** Why a request to a loopback server on `port` is refused, or null when it is this machine's. */
export function foreignRequest(headers: IncomingHttpHeaders, port: number, where: string): string | null {
  const host = headers.host ?? '';
  if (!loopbackNames(port).includes(host.toLowerCase())) return `Host "${host}" is not this server: use ${where}`;
  const origin = headers.origin;
  if (origin !== undefined && !isLoopbackOrigin(origin, port)) return `Origin "${origin}" may not call this server`;
  return null;
}
