import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { QingtuiError } from '../errors/qingtui.error.js';
import { messages } from '../qingtui.messages.js';
import { TokenService } from '../token/token.service.js';
import { qingtuiPlatform } from '../platforms/qingtui/qingtui.platform.js';
import { QingtuiClient } from './qingtui.client.js';

/** The platform the typed client speaks. */
const QINGTUI_CLIENT_PLATFORM: string = qingtuiPlatform.name;

/**
 * The `QingtuiClient` of any configured Qingtui app, for code that picks the app at run time (the
 * central server's send endpoint). Clients are created on first use and cached per app. (The
 * typed client speaks the Qingtui API: WeChat and WeCom apps are called through
 * `@InjectQingtuiHttp()` with `{ qingtui: { app } }`.)
 *
 * ```ts
 * constructor(private readonly qingtui: QingtuiClients) {}
 * await this.qingtui.get('crm').sendText({ toUser: openId }, 'hello');
 * ```
 */
@Injectable()
export class QingtuiClients {
  private readonly clients = new Map<string, QingtuiClient>();

  constructor(
    private readonly http: HttpService,
    private readonly tokens: TokenService,
  ) {}

  /**
   * The client of an app; the default app (the first Qingtui app configured) when `app` is
   * omitted.
   * @throws QingtuiError when no app of that name is configured, when it is not a Qingtui app,
   *   or (without `app`) when no Qingtui app is configured
   */
  get(app?: string): QingtuiClient {
    const name = app ?? this.defaultApp();
    if (name === undefined) throw new QingtuiError(messages.noQingtuiApp(this.tokens.appNames()));
    if (!this.tokens.hasApp(name)) {
      throw new QingtuiError(messages.unknownApp(app, this.tokens.appNames()));
    }
    const platform = this.tokens.platformOf(name);
    if (platform !== QINGTUI_CLIENT_PLATFORM) {
      throw new QingtuiError(messages.notQingtuiApp(name, platform));
    }
    let client = this.clients.get(name);
    if (client === undefined) {
      client = new QingtuiClient(this.http.axiosRef, name);
      this.clients.set(name, client);
    }
    return client;
  }

  /**
   * The client `@InjectQingtuiClient()` injects: the default app's. A module that manages
   * WeChat or WeCom apps only still starts; its default client then fails each call with a
   * `QingtuiError` saying that no Qingtui app is configured.
   */
  getDefault(): QingtuiClient {
    const name = this.defaultApp();
    if (name !== undefined) return this.get(name);
    return new QingtuiClient(this.http.axiosRef, '', messages.noQingtuiApp(this.tokens.appNames()));
  }

  private defaultApp(): string | undefined {
    return this.tokens
      .appNames()
      .find((name) => this.tokens.platformOf(name) === QINGTUI_CLIENT_PLATFORM);
  }
}
