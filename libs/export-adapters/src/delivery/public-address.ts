import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';

/** Addresses a webhook may not call: loopback, private, link-local, CGNAT, unspecified, multicast and reserved ranges. */
const REFUSED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  REFUSED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  REFUSED.addSubnet(network, prefix, 'ipv6');

/** True when `address` (an IP literal) is private, loopback, link-local or otherwise not on the public internet. */
export function isRefusedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return REFUSED.check(mapped[1] as string, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return REFUSED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A host name resolved to every address it has, or the refused one among them. */
export type ResolvedHost = { address: string; family: 4 | 6 } | { refused: string };

/**
 * Resolves a host and checks every address it resolves to (a name with one public and one private
 * address is refused), unless private addresses are allowed; the caller then connects to the address
 * checked here, so a DNS answer that changes between check and connect cannot slip through.
 */
export async function resolvePublicHost(host: string, allowPrivate: boolean): Promise<ResolvedHost> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare)
    ? [{ address: bare, family: isIP(bare) as 4 | 6 }]
    : ((await lookup(bare, { all: true, verbatim: true })) as Array<{ address: string; family: 4 | 6 }>);
  if (!allowPrivate) {
    const refused = addresses.find((entry) => isRefusedAddress(entry.address));
    if (refused) return { refused: refused.address };
  }
  const first = addresses[0];
  if (!first) throw Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' });
  return first;
}
