import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type {
  SandboxApp,
  SandboxOptions,
  WechatSandboxApp,
  WecomSandboxApp,
} from './sandbox.options.js';

/** Port of the standalone sandbox when neither `--port` nor `SANDBOX_PORT` is given. */
export const DEFAULT_STANDALONE_PORT = 4010;

/** What the standalone sandbox runs with. */
export interface SandboxCliConfig {
  port: number;
  host: string;
  /** Print one line per platform request. */
  log: boolean;
  options: Omit<SandboxOptions, 'log' | 'now'>;
}

/** The result of reading the command line: a config, or a request for the usage text. */
export type SandboxCliResult = { help: true } | { help: false; config: SandboxCliConfig };

/** Usage text of the standalone sandbox. */
export const SANDBOX_USAGE = `Usage: qingtui-sandbox [options]

Runs a local emulator of the Qingtui, WeChat Official Account and WeCom open
platforms on one port (point QINGTUI_BASE_URL, WECHAT_BASE_URL and
WECOM_BASE_URL at it).

Options (flags win over environment variables):
  --port <n>            SANDBOX_PORT          port to listen on (default ${DEFAULT_STANDALONE_PORT}; 0 = any free port)
  --host <host>         SANDBOX_HOST          interface to bind (default 127.0.0.1)
  --token-ttl <s>       SANDBOX_TOKEN_TTL     expires_in of access tokens, every platform (default 7200)
  --apps-file <path>    SANDBOX_APPS_FILE     JSON: an array of Qingtui apps {appId, appSecret, edition?, followers?},
                                              or {apps?, wechatApps?, wecomApps?} (default: the demo apps, see the README)
  --ticket-ttl <s>      SANDBOX_TICKET_TTL    lifetime and expires_in of JS-SDK tickets, every platform (default 7200)
  --ticket-repeat <m>   SANDBOX_TICKET_REPEAT same: a fetch answers the live ticket again; new: a new
                                              ticket at every fetch (default same)
  --log                 SANDBOX_LOG=1         print one line per platform request
  -h, --help                                  show this text

Qingtui:
  --refresh-ttl <s>     SANDBOX_REFRESH_TTL   refresh_token lifetime (default 2592000)
  --token-interval <ms> SANDBOX_TOKEN_INTERVAL  min spacing of /v1/token per app (default 2000)
  --overlap <s>         SANDBOX_OVERLAP       old tokens die this long after a newer one is issued
                                              (default: they live until their own expiry)
  --token-length <n>    SANDBOX_TOKEN_LENGTH  length of access tokens (default 600)

WeChat Official Account:
  --wechat-app <appid:secret>  SANDBOX_WECHAT_APPS (comma-separated)  an app; repeat the flag for more
                                              (default: the WeChat demo app)
  --wechat-overlap <s>  SANDBOX_WECHAT_OVERLAP  /cgi-bin/token: the previous token works this long more (default 300)
  --wechat-token-quota <n>  SANDBOX_WECHAT_TOKEN_QUOTA  /cgi-bin/token calls per app per day (default 2000)
  --stable-window <s>   SANDBOX_STABLE_WINDOW stable_token rotates with less than this left; minimum
                                              expires_in (default 300 x token-ttl / 7200)
  --force-interval <s>  SANDBOX_FORCE_INTERVAL  min spacing of stable_token forced refreshes (default 30)

WeCom:
  --wecom-app <corpid:agentid:secret>  SANDBOX_WECOM_APPS (comma-separated)  an app; repeat the flag for more
                                              (default: the WeCom demo app)
  --wecom-token-rate <n>  SANDBOX_WECOM_TOKEN_RATE  /cgi-bin/gettoken calls per company per minute (default 1000)
  --wecom-ticket-app-limit <n>  SANDBOX_WECOM_TICKET_APP_LIMIT  agent_config tickets per app per hour (default 100)
  --wecom-ticket-corp-limit <n>  SANDBOX_WECOM_TICKET_CORP_LIMIT  tickets per company per hour, both kinds (default 400)
`;

/**
 * Reads the standalone sandbox's configuration from flags and environment.
 * @param readFile reads the apps file (injectable for tests)
 * @throws Error with a message meant for the user when a value is invalid
 */
export function parseSandboxCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): SandboxCliResult {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'token-ttl': { type: 'string' },
      'refresh-ttl': { type: 'string' },
      'token-interval': { type: 'string' },
      overlap: { type: 'string' },
      'token-length': { type: 'string' },
      'apps-file': { type: 'string' },
      'wechat-app': { type: 'string', multiple: true },
      'wechat-overlap': { type: 'string' },
      'wechat-token-quota': { type: 'string' },
      'stable-window': { type: 'string' },
      'force-interval': { type: 'string' },
      'wecom-app': { type: 'string', multiple: true },
      'wecom-token-rate': { type: 'string' },
      'ticket-ttl': { type: 'string' },
      'ticket-repeat': { type: 'string' },
      'wecom-ticket-app-limit': { type: 'string' },
      'wecom-ticket-corp-limit': { type: 'string' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };

  const setting = (
    flag: Exclude<keyof typeof values, 'wechat-app' | 'wecom-app'>,
    variable: string,
  ): string | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return fromFlag;
    const fromEnv = env[variable];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const number = (
    flag: Exclude<keyof typeof values, 'wechat-app' | 'wecom-app'>,
    variable: string,
  ): number | undefined => {
    const raw = setting(flag, variable);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0) {
      throw new Error(`--${String(flag)} (${variable}) must be a number >= 0, got "${raw}"`);
    }
    return value;
  };

  const port = number('port', 'SANDBOX_PORT') ?? DEFAULT_STANDALONE_PORT;
  if (!Number.isInteger(port) || port > 65535) {
    throw new Error(`--port must be an integer 0..65535, got ${port}`);
  }
  const appsFile = setting('apps-file', 'SANDBOX_APPS_FILE');

  const options: SandboxCliConfig['options'] = {};
  const assign = <K extends keyof SandboxCliConfig['options']>(
    key: K,
    value: SandboxOptions[K] | undefined,
  ) => {
    if (value !== undefined) options[key] = value;
  };
  assign('tokenTtlSeconds', number('token-ttl', 'SANDBOX_TOKEN_TTL'));
  assign('refreshTokenTtlSeconds', number('refresh-ttl', 'SANDBOX_REFRESH_TTL'));
  assign('tokenIntervalMs', number('token-interval', 'SANDBOX_TOKEN_INTERVAL'));
  assign('overlapSeconds', number('overlap', 'SANDBOX_OVERLAP'));
  assign('tokenLength', number('token-length', 'SANDBOX_TOKEN_LENGTH'));
  assign('ticketTtlSeconds', number('ticket-ttl', 'SANDBOX_TICKET_TTL'));
  const repeat = setting('ticket-repeat', 'SANDBOX_TICKET_REPEAT');
  if (repeat !== undefined && repeat !== 'same' && repeat !== 'new') {
    throw new Error(`--ticket-repeat (SANDBOX_TICKET_REPEAT) must be same or new, got "${repeat}"`);
  }
  assign('ticketRepeat', repeat);
  const file = appsFile === undefined ? {} : readAppsFile(appsFile, readFile);
  assign('apps', file.apps);
  assign(
    'wechatApps',
    fromFlagsOrFile(
      'wechat-app',
      listSetting(values['wechat-app'], env.SANDBOX_WECHAT_APPS),
      file.wechatApps,
      wechatAppOf,
    ),
  );
  assign(
    'wecomApps',
    fromFlagsOrFile(
      'wecom-app',
      listSetting(values['wecom-app'], env.SANDBOX_WECOM_APPS),
      file.wecomApps,
      wecomAppOf,
    ),
  );
  const wechatRules: NonNullable<SandboxOptions['wechatRules']> = {};
  const overlap = number('wechat-overlap', 'SANDBOX_WECHAT_OVERLAP');
  if (overlap !== undefined) wechatRules.overlapSeconds = overlap;
  const quota = number('wechat-token-quota', 'SANDBOX_WECHAT_TOKEN_QUOTA');
  if (quota !== undefined) wechatRules.dailyTokenQuota = quota;
  const window = number('stable-window', 'SANDBOX_STABLE_WINDOW');
  if (window !== undefined) wechatRules.stableRefreshWindowSeconds = window;
  const interval = number('force-interval', 'SANDBOX_FORCE_INTERVAL');
  if (interval !== undefined) wechatRules.forceRefreshIntervalSeconds = interval;
  if (Object.keys(wechatRules).length > 0) options.wechatRules = wechatRules;
  const wecomRules: NonNullable<SandboxOptions['wecomRules']> = {};
  const rate = number('wecom-token-rate', 'SANDBOX_WECOM_TOKEN_RATE');
  if (rate !== undefined) wecomRules.tokenCallsPerMinute = rate;
  const appLimit = number('wecom-ticket-app-limit', 'SANDBOX_WECOM_TICKET_APP_LIMIT');
  if (appLimit !== undefined) wecomRules.ticketHourlyLimitApp = appLimit;
  const corpLimit = number('wecom-ticket-corp-limit', 'SANDBOX_WECOM_TICKET_CORP_LIMIT');
  if (corpLimit !== undefined) wecomRules.ticketHourlyLimitCorp = corpLimit;
  if (Object.keys(wecomRules).length > 0) options.wecomRules = wecomRules;

  return {
    help: false,
    config: {
      port,
      host: setting('host', 'SANDBOX_HOST') ?? '127.0.0.1',
      log: values.log === true || env.SANDBOX_LOG === '1' || env.SANDBOX_LOG === 'true',
      options,
    },
  };
}

/** What an apps file may hold. */
interface AppsFile {
  apps?: SandboxApp[];
  wechatApps?: WechatSandboxApp[];
  wecomApps?: WecomSandboxApp[];
}

function readAppsFile(path: string, readFile: (path: string) => string): AppsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`--apps-file ${path}: ${reason}`, { cause: error });
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) throw new Error(`--apps-file ${path}: the array of apps is empty`);
    // The shape of each app is checked by the sandbox's option validation.
    return { apps: parsed as SandboxApp[] };
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new Error(
      `--apps-file ${path}: expected a JSON array of Qingtui apps or an object {apps?, wechatApps?, wecomApps?}`,
    );
  }
  const { apps, wechatApps, wecomApps, ...unknown } = parsed as Record<string, unknown>;
  const extra = Object.keys(unknown);
  if (extra.length > 0) {
    throw new Error(`--apps-file ${path}: unknown key ${extra.map((k) => `"${k}"`).join(', ')}`);
  }
  if (apps === undefined && wechatApps === undefined && wecomApps === undefined) {
    throw new Error(
      `--apps-file ${path}: expected a JSON array of Qingtui apps or an object with apps, wechatApps or wecomApps`,
    );
  }
  for (const [key, list] of Object.entries({ apps, wechatApps, wecomApps })) {
    if (list !== undefined && !Array.isArray(list)) {
      throw new Error(`--apps-file ${path}: "${key}" must be an array`);
    }
  }
  return parsed;
}

/** Repeated flags win over the comma-separated environment variable. */
function listSetting(fromFlags: string[] | undefined, fromEnv: string | undefined): string[] {
  if (fromFlags !== undefined && fromFlags.length > 0) return fromFlags;
  if (fromEnv === undefined || fromEnv.trim() === '') return [];
  return fromEnv.split(',').map((item) => item.trim());
}

function fromFlagsOrFile<T>(
  flag: string,
  specs: string[],
  fromFile: T[] | undefined,
  parse: (spec: string) => T,
): T[] | undefined {
  if (specs.length === 0) return fromFile;
  if (fromFile !== undefined) {
    throw new Error(`--${flag}: the apps file already lists these apps; give them in one place`);
  }
  return specs.map(parse);
}

/** `appid:secret`; the secret is everything after the first colon. */
function wechatAppOf(spec: string): WechatSandboxApp {
  const colon = spec.indexOf(':');
  if (colon <= 0 || colon === spec.length - 1) {
    throw new Error(`--wechat-app must look like appid:secret, got "${redact(spec, 1)}"`);
  }
  return { appId: spec.slice(0, colon), appSecret: spec.slice(colon + 1) };
}

/** `corpid:agentid:secret`; the secret is everything after the second colon. */
function wecomAppOf(spec: string): WecomSandboxApp {
  const first = spec.indexOf(':');
  const second = first < 0 ? -1 : spec.indexOf(':', first + 1);
  if (first <= 0 || second <= first + 1 || second === spec.length - 1) {
    throw new Error(`--wecom-app must look like corpid:agentid:secret, got "${redact(spec, 2)}"`);
  }
  return {
    corpId: spec.slice(0, first),
    agentId: spec.slice(first + 1, second),
    secret: spec.slice(second + 1),
  };
}

/** A malformed app spec with its secret part hidden, for the error message. */
function redact(spec: string, keptParts: number): string {
  const parts = spec.split(':');
  if (parts.length <= keptParts) return spec.length > 0 ? '…' : '';
  return [...parts.slice(0, keptParts), '***'].join(':');
}
