import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets Tollgate must use again (a Stripe secret key, a webhook signing secret) cannot be
 * hashed like API keys: they are sealed with AES-256-GCM under a key derived from the server's
 * own secret (`secretsKey`, or the admin key when it is empty, as the cluster key does), so a
 * copy of the database alone does not give them away. The sealed form is
 * `v1.<iv>.<tag>.<ciphertext>` in base64url; a tampered or foreign one does not open.
 */
export interface SecretBox {
  seal(plain: string): string;
  /** Null when the text was not sealed by this key (or was changed). */
  open(sealed: string): string | null;
}

const ivBytes = 12;

export function createSecretBox(serverSecret: string): SecretBox {
  if (serverSecret.length === 0) throw new Error('sealing secrets needs a server secret');
  const key = createHash('sha256').update(`tollgate-secret-box:${serverSecret}`).digest();
  return {
    seal: (plain) => {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), body]
        .map((part) => typeof part === 'string' ? part : part.toString('base64url')).join('.');
    },
    open: (sealed) => {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
        return null;
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')),
          decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
