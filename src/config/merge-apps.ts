import { ConfigValidationError } from './config-validation.error.js';
import {
  DEFAULT_APP_NAME,
  describeIdentity,
  identityOf,
  type QingtuiServerApp,
  type ServerAppEntry,
} from './server-config.interface.js';

/**
 * The app of `QINGTUI_APP_ID` (named `default`) followed by the apps of `QINGTUI_APPS_FILE`,
 * refusing a name used twice and one app (its platform identity: Qingtui or WeChat AppID, WeCom
 * corpId and agentId) given two names: two fetchers for one app would kill each other's tokens.
 * @throws ConfigValidationError naming `QINGTUI_APPS_FILE`, the index and the field
 */
export function mergeApps(
  envApp: ServerAppEntry | undefined,
  fileApps: readonly ServerAppEntry[],
): ServerAppEntry[] {
  const apps: ServerAppEntry[] = envApp === undefined ? [] : [envApp];
  // One pass with two indexes (name, identity): linear in the number of apps (10,000 apps
  // took seconds when each entry was compared with every one before it).
  const byName = new Map<string, ServerAppEntry>();
  const byIdentity = new Map<string, ServerAppEntry>();
  if (envApp !== undefined) {
    byName.set(envApp.name, envApp);
    byIdentity.set(identityOf(envApp), envApp);
  }
  fileApps.forEach((app, index) => {
    const clash = byName.get(app.name);
    if (clash) {
      const owner = clash === envApp ? 'QINGTUI_APP_ID' : 'another entry';
      throw new ConfigValidationError(
        'QINGTUI_APPS_FILE',
        `[${index}].name "${app.name}" is already used by ${owner}`,
      );
    }
    const identity = identityOf(app);
    const same = byIdentity.get(identity);
    if (same) {
      const field = app.platform === 'wecom' ? 'agentId' : 'appId';
      throw new ConfigValidationError(
        'QINGTUI_APPS_FILE',
        `[${index}].${field} is already ${describeIdentity(same)}: give each app one name`,
      );
    }
    byName.set(app.name, app);
    byIdentity.set(identity, app);
    apps.push(app);
  });
  return apps;
}

/** The app of `QINGTUI_APP_ID` / `QINGTUI_APP_SECRET` / `QINGTUI_DAILY_QUOTA`. */
export function envApp(
  appId: string,
  appSecret: string,
  dailyQuota: QingtuiServerApp['dailyQuota'],
): QingtuiServerApp {
  return {
    platform: 'qingtui',
    name: DEFAULT_APP_NAME,
    appId,
    appSecret,
    ...(dailyQuota === undefined ? {} : { dailyQuota }),
  };
}
