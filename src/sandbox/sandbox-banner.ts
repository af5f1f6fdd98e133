/** What the sandbox banner shows. */
export interface SandboxBannerInput {
  /** Base URL of this server, e.g. `http://localhost:3000`. */
  serverUrl: string;
  /** Base URL of the embedded sandbox. */
  sandboxUrl: string;
  /** The generated development key; undefined when `API_KEYS` is set. */
  developmentKey?: string;
  /** A follower of the demo app. */
  follower: string;
  /** Whether `METRICS_KEY` protects `/metrics`. */
  metricsProtected?: boolean;
  /** `QINGTUI_SANDBOX_TOKEN_TTL`, when set. */
  tokenTtlSeconds?: number;
}

/**
 * The start-up banner of sandbox mode: what it means, the development key (the only time a
 * key is ever printed) and two ready-to-paste curl commands.
 */
export function sandboxBanner(input: SandboxBannerInput): string {
  const key = input.developmentKey ?? '<a key from API_KEYS>';
  const auth = `-H 'Authorization: Bearer ${key}'`;
  const body = JSON.stringify({
    type: 'text',
    to_user: input.follower,
    message: { content: 'Hello from the sandbox' },
  });
  const rule = '='.repeat(78);
  return [
    '',
    rule,
    '  SANDBOX MODE: no app is configured (QINGTUI_APP_ID / QINGTUI_APPS_FILE).',
    `  Tokens and messages come from an embedded sandbox at ${input.sandboxUrl}, which serves`,
    '  three demo apps: "default" (Qingtui), "wechat" (WeChat Official Account) and "wecom" (WeCom).',
    '  No credentials are used and nothing leaves this machine.',
    '',
    input.developmentKey === undefined
      ? '  Client keys: the ones in API_KEYS.'
      : `  Development client key (generated for this run, set API_KEYS to choose your own):\n    ${key}`,
    '',
    '  Get the token of app "default" (or "wechat", "wecom"):',
    `    curl -s ${auth} ${input.serverUrl}/apps/default/token`,
    `    curl -s ${auth} ${input.serverUrl}/apps/wechat/token`,
    '',
    '  Get the JS-SDK ticket of "wechat", and sign a page for wx.config:',
    `    curl -s ${auth} ${input.serverUrl}/apps/wechat/tickets/jsapi`,
    `    curl -s -X POST ${auth} -H 'Content-Type: application/json' \\`,
    `      -d '{"url":"https://example.com/page"}' ${input.serverUrl}/apps/wechat/jsapi-signature`,
    '',
    `  Send a text message to ${input.follower}:`,
    `    curl -s -X POST ${auth} -H 'Content-Type: application/json' \\`,
    `      -d '${body}' ${input.serverUrl}/apps/default/messages`,
    '',
    `  Status page (opens without a key in sandbox mode): ${input.serverUrl}/status`,
    input.tokenTtlSeconds === undefined
      ? '    (tokens live 7200 s: set QINGTUI_SANDBOX_TOKEN_TTL=30 to watch them renewed there)'
      : `    (tokens live ${input.tokenTtlSeconds} s: watch them renewed there)`,
    `  Prometheus metrics${input.metricsProtected ? ' (Bearer METRICS_KEY)' : ''}: ${input.serverUrl}/metrics`,
    `  API docs: ${input.serverUrl}/docs`,
    rule,
  ].join('\n');
}
