import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/stripe/secret-box.ts';

describe('secret box', () => {
  it('opens what it sealed, and nothing sealed under another key or changed', () => {
    const box = createSecretBox('server-secret-one');
    const sealed = box.seal('sk_test_abc123');
    expect(sealed).not.toContain('sk_test');
    expect(box.open(sealed)).toBe('sk_test_abc123');
    // A fresh IV per seal: the same secret never seals to the same text
    expect(box.seal('sk_test_abc123')).not.toBe(sealed);
    expect(createSecretBox('server-secret-two').open(sealed)).toBeNull();
    const [version, iv, tag, body] = sealed.split('.');
    const flipped = `${body!.startsWith('A') ? 'B' : 'A'}${body!.slice(1)}`;
    expect(box.open([version, iv, tag, flipped].join('.'))).toBeNull();
    expect(box.open('not sealed')).toBeNull();
    expect(() => createSecretBox('')).toThrow();
  });
});
