import { describe, expect, it } from 'vitest';
import { checkJsapiSignature, jsapiSignature, jsapiSignatureClaimOf } from './jsapi-signature.js';
import type { TicketStatus } from './ticket-book.js';

/** The worked example of the WeChat JS-SDK documentation, appendix 1. */
const EXAMPLE = {
  ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
  nonceStr: 'Wm3WZYTPz0wzccnW',
  timestamp: 1414587457,
  url: 'http://mp.weixin.qq.com?params=value',
};
const EXAMPLE_SIGNATURE = '0f9de62fce790f9a083d5c99e95740ceb90c27ed';

const VALID: TicketStatus = {
  state: 'valid',
  kind: 'jsapi',
  appKey: 'wx',
  platform: 'wechat-mp',
  expiresAtMs: 1,
};

describe('jsapiSignature', () => {
  it('produces the WeChat worked example exactly, timestamp as a number or a string', () => {
    expect(jsapiSignature(EXAMPLE)).toBe(EXAMPLE_SIGNATURE);
    expect(jsapiSignature({ ...EXAMPLE, timestamp: '1414587457' })).toBe(EXAMPLE_SIGNATURE);
  });

  it('leaves the #fragment out of the URL', () => {
    expect(jsapiSignature({ ...EXAMPLE, url: `${EXAMPLE.url}#top` })).toBe(EXAMPLE_SIGNATURE);
    expect(jsapiSignature({ ...EXAMPLE, url: `${EXAMPLE.url}&x=1` })).not.toBe(EXAMPLE_SIGNATURE);
  });
});

describe('checkJsapiSignature', () => {
  const claim = { ...EXAMPLE, signature: EXAMPLE_SIGNATURE };

  it('accepts the right lowercase signature with a valid jsapi or agent_config ticket', () => {
    expect(checkJsapiSignature(claim, VALID)).toEqual({
      valid: true,
      expected: EXAMPLE_SIGNATURE,
      ticket: VALID,
    });
    expect(checkJsapiSignature(claim, { ...VALID, kind: 'agent_config' }).valid).toBe(true);
  });

  it('tells why it refuses', () => {
    const reason = (signature: string, status: TicketStatus) =>
      checkJsapiSignature({ ...claim, signature }, status).reason;
    expect(reason(EXAMPLE_SIGNATURE, { state: 'unknown' })).toBe('unknown-ticket');
    expect(reason(EXAMPLE_SIGNATURE, { ...VALID, state: 'expired' })).toBe('expired-ticket');
    expect(reason(EXAMPLE_SIGNATURE, { ...VALID, kind: 'wx_card' })).toBe('not-a-jsapi-ticket');
    expect(reason(EXAMPLE_SIGNATURE.toUpperCase(), VALID)).toBe('bad-signature');
    expect(reason('0'.repeat(40), VALID)).toBe('bad-signature');
  });

  it('validates a claim read from JSON, naming the field', () => {
    expect(jsapiSignatureClaimOf({ ...claim })).toEqual(claim);
    expect(() => jsapiSignatureClaimOf({ ...claim, nonceStr: 1 })).toThrow(/^nonceStr/);
    expect(() => jsapiSignatureClaimOf({ ...claim, timestamp: null })).toThrow(/^timestamp/);
    expect(() => jsapiSignatureClaimOf({ ...claim, signature: undefined })).toThrow(/^signature/);
  });
});
