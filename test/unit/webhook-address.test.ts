// The address guard (README.md, "Notifications (webhooks)"): only public addresses, checked after DNS resolution, unless
// private receivers are allowed.
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { AddressRefusedError, checkWebhookUrl, classifyAddress, guardedLookup, refusalOf } from '../../src/activities/webhook-address.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.127.255.254', 'shared (CGNAT)'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::192.168.0.1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['::ffff:0:10.0.0.1', 'private'],
    ['::ffff:0:a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::7f00:1', 'reserved'],
    ['64:ff9b:1:7f00:1::', 'reserved'],
    ['64:ff9b:1:c0a8:0:100::', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
  ])('%s is %s', (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '169.255.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '::ffff:0:8.8.8.8',
    '2001:4860:4860::8888',
  ])('%s is public', (ip) => {
    expect(classifyAddress(ip)).toBe('public');
    expect(refusalOf(ip, false)).toBeNull();
  });

  it('BATON_ALLOW_PRIVATE_WEBHOOKS lets every address through', () => {
    expect(refusalOf('127.0.0.1', true)).toBeNull();
    expect(refusalOf('10.0.0.1', false)).toBe('private');
  });
});

describe('checkWebhookUrl', () => {
  it('takes http and https only', () => {
    expect(() => checkWebhookUrl('ftp://example.com/x', false)).toThrow(/must be http or https, not ftp/);
    expect(() => checkWebhookUrl('file:///etc/passwd', true)).toThrow(AddressRefusedError);
    expect(() => checkWebhookUrl('not a url', false)).toThrow(/not a valid URL/);
    expect(checkWebhookUrl('https://93.184.216.34/hook', false).host).toBe('93.184.216.34');
  });

  it('refuses an IP literal in any spelling the URL parser accepts', () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::1]:8080/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data',
    ]) {
      expect(() => checkWebhookUrl(url, false), url).toThrow(/BATON_ALLOW_PRIVATE_WEBHOOKS=1/);
    }
    expect(checkWebhookUrl('http://127.0.0.1:9/', true).port).toBe('9');
  });
});

function lookupOf(allowPrivate: boolean, hostname: string, all: boolean): Promise<{ address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve, reject) => guardedLookup(allowPrivate)(hostname, { all }, (err, address, family) => (err ? reject(err) : resolve({ address, family }))));
}

describe('guardedLookup (the address is checked after DNS resolution)', () => {
  it('refuses a name that resolves to loopback', async () => {
    await expect(lookupOf(false, 'localhost', true)).rejects.toThrow(/localhost \((127\.0\.0\.1|::1)\) is a loopback address/);
    await expect(lookupOf(false, 'localhost', false)).rejects.toBeInstanceOf(AddressRefusedError);
  });

  it('hands the connection the very addresses it checked, in both callback forms', async () => {
    const all = await lookupOf(true, 'localhost', true);
    expect(Array.isArray(all.address)).toBe(true);
    expect((all.address as LookupAddress[]).every((a) => classifyAddress(a.address) === 'loopback')).toBe(true);
    const one = await lookupOf(true, 'localhost', false);
    expect(classifyAddress(one.address as string)).toBe('loopback');
    expect([4, 6]).toContain(one.family);
  });

  it('passes a resolver error through', async () => {
    await expect(lookupOf(false, 'no-such-host.invalid', true)).rejects.toMatchObject({ code: expect.stringMatching(/ENOTFOUND|EAI_AGAIN/) });
  });
});
