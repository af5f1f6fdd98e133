import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { QingtuiError } from '../errors/qingtui.error.js';
import { messages } from '../qingtui.messages.js';
import { TokenService } from '../token/token.service.js';
import { QingtuiClient } from './qingtui.client.js';

/**
 * The `QingtuiClient` of any configured app, for code that picks the app at run time (the
 * central server's send endpoint). Clients are created on first use and cached per app.
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
   * The client of an app; the default (first configured) app when `app` is omitted.
   * @throws QingtuiError when no app of that name is configured
   */
  get(app?: string): QingtuiClient {
    const name = app ?? this.tokens.appNames()[0];
    if (name === undefined || !this.tokens.hasApp(name)) {
      throw new QingtuiError(messages.unknownApp(app, this.tokens.appNames()));
    }
    let client = this.clients.get(name);
    if (client === undefined) {
      client = new QingtuiClient(this.http.axiosRef, name);
      this.clients.set(name, client);
    }
    return client;
  }
}
