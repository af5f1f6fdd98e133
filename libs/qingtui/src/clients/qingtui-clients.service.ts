import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import type { AppCatalogue } from '../config/app-catalogue.js';
import { QingtuiError } from '../errors/qingtui.error.js';
import { QINGTUI_APP_CATALOGUE } from '../qingtui.constants.js';
import { messages } from '../qingtui.messages.js';
import { TokenService } from '../token/token.service.js';
import { qingtuiPlatform } from '../platforms/qingtui/qingtui.platform.js';
import { wechatMpPlatform } from '../platforms/wechat-mp/wechat-mp.platform.js';
import { wecomPlatform } from '../platforms/wecom/wecom.platform.js';
import { QingtuiClient } from './qingtui.client.js';
import { WeChatClient } from './wechat/wechat.client.js';
import { WeComClient } from './wecom/wecom.client.js';

/** The platform each typed client speaks. */
const QINGTUI_CLIENT_PLATFORM: string = qingtuiPlatform.name;
const WECHAT_CLIENT_PLATFORM: string = wechatMpPlatform.name;
const WECOM_CLIENT_PLATFORM: string = wecomPlatform.name;

/** The typed client of an app of any platform, as `@InjectQingtuiClient(app)` injects it. */
export type QingtuiAnyClient = QingtuiClient | WeChatClient | WeComClient;

/**
 * The typed clients of the configured apps, for code that picks the app at run time (the
 * central server's send endpoint): `get()` for Qingtui apps, `wecom()` for WeCom apps,
 * `wechat()` for WeChat Official Accounts. Clients are created on first use and cached per app.
 *
 * ```ts
 * constructor(private readonly clients: QingtuiClients) {}
 * await this.clients.get('crm').sendText({ toUser: openId }, 'hello');
 * await this.clients.wecom('oa').sendText({ toUser: ['lisi'] }, 'hello');
 * await this.clients.wechat('mp').sendTemplate({ toUser: openId, templateId, data });
 * ```
 */
@Injectable()
export class QingtuiClients {
  private readonly clients = new Map<string, QingtuiAnyClient>();

  constructor(
    private readonly http: HttpService,
    private readonly tokens: TokenService,
    @Inject(QINGTUI_APP_CATALOGUE) private readonly catalogue: AppCatalogue,
  ) {}

  /**
   * The `QingtuiClient` of a Qingtui app; the default app (the first Qingtui app configured)
   * when `app` is omitted.
   * @throws QingtuiError when no app of that name is configured, when it is not a Qingtui app,
   *   or (without `app`) when no Qingtui app is configured
   */
  get(app?: string): QingtuiClient {
    const name = app ?? this.defaultApp();
    if (name === undefined) throw new QingtuiError(messages.noQingtuiApp(this.tokens.appNames()));
    const platform = this.platformOf(name, app);
    if (platform !== QINGTUI_CLIENT_PLATFORM) {
      throw new QingtuiError(messages.notQingtuiApp(name, platform));
    }
    return this.cached(name, () => new QingtuiClient(this.http.axiosRef, name));
  }

  /**
   * The `WeComClient` of a WeCom app.
   * @throws QingtuiError when no app of that name is configured or it is not a WeCom app
   */
  wecom(app: string): WeComClient {
    const platform = this.platformOf(app, app);
    if (platform !== WECOM_CLIENT_PLATFORM) {
      throw new QingtuiError(messages.notPlatformApp(app, platform, 'WeComClient', 'WeCom'));
    }
    const agentId = this.catalogue.find(app)?.tickets?.agent?.agentId;
    return this.cached(app, () => new WeComClient(this.http.axiosRef, app, agentId));
  }

  /**
   * The `WeChatClient` of a WeChat Official Account app.
   * @throws QingtuiError when no app of that name is configured or it is not a WeChat app
   */
  wechat(app: string): WeChatClient {
    const platform = this.platformOf(app, app);
    if (platform !== WECHAT_CLIENT_PLATFORM) {
      throw new QingtuiError(messages.notPlatformApp(app, platform, 'WeChatClient', 'WeChat'));
    }
    return this.cached(app, () => new WeChatClient(this.http.axiosRef, app));
  }

  /**
   * The client of an app's platform: what `@InjectQingtuiClient(app)` injects.
   * @throws QingtuiError when no app of that name is configured
   */
  of(app: string): QingtuiAnyClient {
    const platform = this.platformOf(app, app);
    if (platform === WECOM_CLIENT_PLATFORM) return this.wecom(app);
    if (platform === WECHAT_CLIENT_PLATFORM) return this.wechat(app);
    return this.get(app);
  }

  /**
   * The client `@InjectQingtuiClient()` injects: the default Qingtui app's. A module that
   * manages WeChat or WeCom apps only still starts; its default client then fails each call
   * with a `QingtuiError` saying that no Qingtui app is configured.
   */
  getDefault(): QingtuiClient {
    const name = this.defaultApp();
    if (name !== undefined) return this.get(name);
    return new QingtuiClient(this.http.axiosRef, '', messages.noQingtuiApp(this.tokens.appNames()));
  }

  private platformOf(name: string, asked: string | undefined): string {
    if (!this.tokens.hasApp(name)) {
      throw new QingtuiError(messages.unknownApp(asked, this.tokens.appNames()));
    }
    return this.tokens.platformOf(name);
  }

  private cached<C extends QingtuiAnyClient>(app: string, create: () => C): C {
    let client = this.clients.get(app) as C | undefined;
    if (client === undefined) {
      client = create();
      this.clients.set(app, client);
    }
    return client;
  }

  private defaultApp(): string | undefined {
    return this.tokens
      .appNames()
      .find((name) => this.tokens.platformOf(name) === QINGTUI_CLIENT_PLATFORM);
  }
}
