import { describe, expect, it } from 'vitest';
import { isExcludedPath, RELAY_EXCLUDED_PATHS, relayPathOf, relaysPrefix } from './relay-paths.js';
import { parseRelayQuery, relayQueryWith } from './relay-query.js';
import { relayTargetUrl } from './relay-target.js';
import { relayRequestHeaders, relayResponseHeaders } from './relay-headers.js';
import { isTokenRejection } from 'nestjs-qingtui';

describe('relayPathOf', () => {
  it('keeps a plain platform path', () => {
    expect(relayPathOf('/apps/wx/cgi-bin/menu/get?access_token=x')).toEqual({
      ok: true,
      path: '/cgi-bin/menu/get',
      segments: ['cgi-bin', 'menu', 'get'],
    });
    expect(relayPathOf('/apps/default/v1/message/textCard/send/single').ok).toBe(true);
  });

  it.each([
    '/apps/wx/cgi-bin/../x',
    '/apps/wx/cgi-bin/%2e%2e/x',
    '/apps/wx/cgi-bin/%2E/x',
    '/apps/wx/cgi-bin/a%2Fb',
    '/apps/wx/cgi-bin/a%5Cb',
    '/apps/wx/cgi-bin//evil.com/x',
    '/apps/wx/cgi-bin/',
    '/apps/wx/cgi-bin/a@evil.com',
    '/apps/wx/cgi-bin/http:',
    '/apps/wx/cgi-bin/%zz',
    '/apps/wx/cgi-bin/a%00',
    `/apps/wx/cgi-bin/${'a/'.repeat(20)}a`,
    'http://evil.com/apps/wx/cgi-bin/x',
  ])('refuses %s', (target) => {
    expect(relayPathOf(target).ok).toBe(false);
  });
});

describe('prefixes and exclusions', () => {
  it('relays each platform under its own prefixes only', () => {
    expect(relaysPrefix('wechat-mp', 'cgi-bin')).toBe(true);
    expect(relaysPrefix('wecom', 'cgi-bin')).toBe(true);
    expect(relaysPrefix('qingtui', 'v1')).toBe(true);
    expect(relaysPrefix('qingtui', 'team')).toBe(true);
    expect(relaysPrefix('qingtui', 'cgi-bin')).toBe(false);
    expect(relaysPrefix('wechat-mp', 'v1')).toBe(false);
  });

  it('excludes every platform token and ticket path', () => {
    for (const path of Object.values(RELAY_EXCLUDED_PATHS).flat()) {
      expect(isExcludedPath(path)).toBe(true);
    }
    expect(isExcludedPath('/cgi-bin/getcallbackip')).toBe(false);
  });
});

describe('the query and the target', () => {
  it('replaces every token parameter by the server token, keeping the others raw', () => {
    const q = parseRelayQuery('qingtui', 'a=1&accessToken=old&b=%E4%BD%A0&access_token=older');
    expect(q.presentedToken).toBe('old');
    expect(relayQueryWith(q, 'new+/=')).toBe('a=1&b=%E4%BD%A0&accessToken=new%2B%2F%3D');
    const wx = parseRelayQuery('wechat-mp', 'accessToken=kept&x=y');
    expect(wx.presentedToken).toBeUndefined();
    expect(relayQueryWith(wx, 't')).toBe('accessToken=kept&x=y&access_token=t');
  });

  it('builds the URL under the base, whatever the query holds', () => {
    const url = relayTargetUrl(
      'https://api.weixin.qq.com/',
      '/cgi-bin/x',
      'u=http://evil.com/#@evil',
    );
    expect(url.origin).toBe('https://api.weixin.qq.com');
    expect(url.pathname).toBe('/cgi-bin/x');
    expect(url.hash).toBe('');
    expect(relayTargetUrl('http://127.0.0.1:9/base/', '/v1/a', '').href).toBe(
      'http://127.0.0.1:9/base/v1/a',
    );
  });
});

describe('headers', () => {
  it('drops credentials, hop-by-hop and Connection-listed headers both ways', () => {
    expect(
      relayRequestHeaders({
        authorization: 'Bearer k',
        cookie: 'c',
        host: 'h',
        connection: 'close, x-a',
        'x-a': '1',
        'x-forwarded-host': 'evil',
        'content-length': '3',
        'content-type': 'application/json',
      }),
    ).toEqual({ 'content-type': 'application/json' });
    expect(
      relayResponseHeaders({
        'set-cookie': ['a=1'],
        'transfer-encoding': 'chunked',
        'content-type': 'image/png',
        'content-length': '10',
      }),
    ).toEqual({ 'content-type': 'image/png', 'content-length': '10' });
  });
});

describe('isTokenRejection', () => {
  it('follows each platform errcode table', () => {
    expect(isTokenRejection('wechat-mp', 40001, '/cgi-bin/getcallbackip')).toBe(true);
    expect(isTokenRejection('wechat-mp', 40001, '/cgi-bin/token')).toBe(false);
    expect(isTokenRejection('wecom', 40014)).toBe(true);
    expect(isTokenRejection('wecom', 40001)).toBe(false);
    expect(isTokenRejection('qingtui', 40014, '/v1/app/followers')).toBe(true);
    expect(isTokenRejection('qingtui', 43004, '/v1/message/text/send/single')).toBe(false);
    expect(isTokenRejection('other', 40001)).toBe(false);
  });
});
