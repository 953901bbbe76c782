import { BlockList, isIP } from 'node:net';

/** The proxies whose X-Forwarded-For is believed, from `TRUSTED_PROXIES` entries (addresses or CIDR ranges). */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) throw new Error(`trusted proxy "${entry}" is not an IP address or CIDR range`);
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

function normalize(ip: string): string {
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return v4mapped ? v4mapped[1] : ip;
}

function isTrusted(ip: string, trusted: BlockList): boolean {
  const family = isIP(ip);
  return family !== 0 && trusted.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address: the connection's peer, unless that peer is a trusted proxy; then X-Forwarded-For is read
 * from the right, skipping further trusted proxies, and the first other valid address is the client. A client
 * can prepend anything to the header, so nothing left of the first untrusted hop is believed.
 */
export function resolveClientIp(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList,
): string | undefined {
  if (!remoteAddress) return undefined;
  let client = normalize(remoteAddress);
  if (!isTrusted(client, trusted) || forwardedFor === undefined) return isIP(client) ? client : undefined;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((h) => normalize(h.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    if (isIP(hops[i]) === 0) break;
    client = hops[i];
    if (!isTrusted(client, trusted)) break;
  }
  return client;
}
