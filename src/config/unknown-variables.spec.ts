import { describe, expect, it } from 'vitest';
import { unknownVariables } from './unknown-variables.js';

describe('unknownVariables', () => {
  it('names the variables of our prefixes the server does not read, with the closest known one', () => {
    expect(
      unknownVariables({
        QINGTUI_APP_SCRET: 'a-secret-value',
        WECHAT_TOKEN_OVERLAP: '1000',
        QINGTUI_SOMETHING_ELSE_ENTIRELY: 'x',
        QINGTUI_APP_ID: 'known',
        HOME: '/root',
        REDIS_URL: 'redis://127.0.0.1',
      }),
    ).toEqual([
      { name: 'QINGTUI_APP_SCRET', closest: 'QINGTUI_APP_SECRET' },
      { name: 'QINGTUI_SOMETHING_ELSE_ENTIRELY' },
      { name: 'WECHAT_TOKEN_OVERLAP', closest: 'WECHAT_TOKEN_OVERLAP_MS' },
    ]);
  });
});
