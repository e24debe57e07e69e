import { isIP } from 'node:net';

/** A NAS allowed to talk to Tollgate, known by its source address, with its shared secret. */
export interface RadiusClient {
  readonly address: string;
  readonly secret: Buffer;
}

export const radiusClientLimits = { clientsMax: 1_000, secretBytesMax: 128 } as const;

/**
 * `TOLLGATE_RADIUS_CLIENTS`: `address=secret` pairs separated by `;` or newlines, e.g.
 * `127.0.0.1=testing123;10.0.0.7=s3cret`. Addresses are exact IPs (no ranges: a secret per
 * box). Returns the clients by address, or a message naming the bad entry.
 */
export function parseRadiusClients(
  text: string,
): { ok: true; clients: Map<string, RadiusClient> } | { ok: false; message: string } {
  const clients = new Map<string, RadiusClient>();
  const entries = text.split(/[;\n]/).map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length > radiusClientLimits.clientsMax) {
    return { ok: false, message: `at most ${radiusClientLimits.clientsMax} RADIUS clients` };
  }
  for (const [index, entry] of entries.entries()) {
    const equals = entry.indexOf('=');
    const address = equals < 0 ? entry : entry.slice(0, equals).trim();
    const secret = equals < 0 ? '' : entry.slice(equals + 1);
    if (isIP(address) === 0) {
      return { ok: false, message: `RADIUS client ${index + 1}: "${address}" is not an IP` };
    }
    const bytes = Buffer.from(secret, 'utf8');
    if (bytes.length === 0 || bytes.length > radiusClientLimits.secretBytesMax) {
      return { ok: false, message: `RADIUS client ${address}: the secret must be 1-` +
        `${radiusClientLimits.secretBytesMax} bytes` };
    }
    clients.set(address, { address, secret: bytes });
  }
  return { ok: true, clients };
}
