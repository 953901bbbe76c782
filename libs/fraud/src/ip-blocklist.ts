import { BlockList, isIP } from 'node:net';

/** A blocklist entry that is neither an IPv4/IPv6 address nor a CIDR range of one. */
export class InvalidCidrError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`${JSON.stringify(input)} is not an ip address or CIDR range: ${reason}`);
    this.name = 'InvalidCidrError';
  }
}

/**
 * An address or range in canonical form: `203.0.113.0/24`, `2001:db8::/32`; a bare address gets its full prefix
 * (`/32`, `/128`), so the same range always has the same name.
 */
export function normalizeCidr(input: string): string {
  const [address, prefixText, ...rest] = input.trim().split('/');
  if (rest.length > 0) throw new InvalidCidrError(input, 'more than one "/"');
  const family = isIP(address);
  if (family === 0) throw new InvalidCidrError(input, `${JSON.stringify(address)} is not an address`);
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) {
    throw new InvalidCidrError(input, `the prefix must be 0-${max}`);
  }
  // BlockList normalises the address itself; only the spelling of IPv6 needs care for a stable name.
  const canonical = family === 6 ? new URL(`http://[${address}]`).hostname.slice(1, -1) : address;
  return `${canonical}/${prefix}`;
}

/** Addresses and ranges an operator has blocked (node's own BlockList does the matching). */
export class IpBlocklist {
  private readonly list = new BlockList();

  constructor(readonly cidrs: readonly string[] = []) {
    for (const cidr of cidrs) {
      const [address, prefix] = normalizeCidr(cidr).split('/');
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      this.list.addSubnet(address, Number(prefix), family);
    }
  }

  get size(): number {
    return this.cidrs.length;
  }

  blocks(ip: string): boolean {
    if (this.cidrs.length === 0) return false;
    const family = isIP(ip);
    if (family === 0) return false;
    return this.list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  }
}
