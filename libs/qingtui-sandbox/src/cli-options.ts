import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { SandboxApp, SandboxOptions } from './sandbox.options.js';

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

Runs a local emulator of the Qingtui open platform.

Options (flags win over environment variables):
  --port <n>            SANDBOX_PORT          port to listen on (default ${DEFAULT_STANDALONE_PORT}; 0 = any free port)
  --host <host>         SANDBOX_HOST          interface to bind (default 127.0.0.1)
  --token-ttl <s>       SANDBOX_TOKEN_TTL     expires_in of access tokens (default 7200)
  --refresh-ttl <s>     SANDBOX_REFRESH_TTL   refresh_token lifetime (default 2592000)
  --token-interval <ms> SANDBOX_TOKEN_INTERVAL  min spacing of /v1/token per app (default 2000)
  --overlap <s>         SANDBOX_OVERLAP       old tokens die this long after a newer one is issued
                                              (default: they live until their own expiry)
  --token-length <n>    SANDBOX_TOKEN_LENGTH  length of access tokens (default 600)
  --apps-file <path>    SANDBOX_APPS_FILE     JSON array of {appId, appSecret, edition?, followers?}
                                              (default: the demo app, see the README)
  --log                 SANDBOX_LOG=1         print one line per platform request
  -h, --help                                  show this text
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
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };

  const setting = (flag: keyof typeof values, variable: string): string | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return fromFlag;
    const fromEnv = env[variable];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const number = (flag: keyof typeof values, variable: string): number | undefined => {
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
  assign('apps', appsFile === undefined ? undefined : readApps(appsFile, readFile));

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

function readApps(path: string, readFile: (path: string) => string): SandboxApp[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`--apps-file ${path}: ${reason}`, { cause: error });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new Error(`--apps-file ${path}: expected a non-empty JSON array of apps`);
  }
  // The shape of each app is checked by the sandbox's option validation.
  return parsed as SandboxApp[];
}
