import { ConfigValidationError } from './config-validation.error.js';
import { DEFAULT_APP_NAME, type ServerApp } from './server-config.interface.js';

/**
 * The app of `QINGTUI_APP_ID` (named `default`) followed by the apps of `QINGTUI_APPS_FILE`,
 * refusing a name used twice and an AppID given two names (two fetchers for one app would
 * overwrite each other's tokens and refresh_tokens).
 * @throws ConfigValidationError naming `QINGTUI_APPS_FILE`, the index and the field
 */
export function mergeApps(
  envApp: ServerApp | undefined,
  fileApps: readonly ServerApp[],
): ServerApp[] {
  const apps: ServerApp[] = envApp === undefined ? [] : [envApp];
  fileApps.forEach((app, index) => {
    const clash = apps.find((a) => a.name === app.name);
    if (clash) {
      const owner = clash === envApp ? 'QINGTUI_APP_ID' : 'another entry';
      throw new ConfigValidationError(
        'QINGTUI_APPS_FILE',
        `[${index}].name "${app.name}" is already used by ${owner}`,
      );
    }
    const sameId = apps.find((a) => a.appId === app.appId);
    if (sameId) {
      throw new ConfigValidationError(
        'QINGTUI_APPS_FILE',
        `[${index}].appId is already the AppID of app "${sameId.name}": give each app one name`,
      );
    }
    apps.push(app);
  });
  return apps;
}

/** The app of `QINGTUI_APP_ID` / `QINGTUI_APP_SECRET` / `QINGTUI_DAILY_QUOTA`. */
export function envApp(
  appId: string,
  appSecret: string,
  dailyQuota: ServerApp['dailyQuota'],
): ServerApp {
  return {
    name: DEFAULT_APP_NAME,
    appId,
    appSecret,
    ...(dailyQuota === undefined ? {} : { dailyQuota }),
  };
}
