import { HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { QingtuiError } from '../errors/qingtui.error.js';
import type { AppCatalogue } from '../config/app-catalogue.js';
import { QINGTUI_APP_CATALOGUE } from '../qingtui.constants.js';
import { TokenService } from '../token/token.service.js';
import { QingtuiClient } from './qingtui.client.js';
import { QingtuiClients } from './qingtui-clients.service.js';
import { WeChatClient } from './wechat/wechat.client.js';
import { WeComClient } from './wecom/wecom.client.js';

/** Only what QingtuiClients reads of TokenService. Apps are Qingtui apps unless `platforms` says. */
function fakeTokens(
  names: string[],
  platforms: Record<string, string>,
): Pick<TokenService, 'appNames' | 'hasApp' | 'platformOf'> {
  return {
    appNames: () => [...names],
    hasApp: (name: string) => names.includes(name),
    platformOf: (name?: string) => platforms[name!] ?? 'qingtui',
  };
}

/** Only what QingtuiClients reads of the catalogue: a WeCom app's agentId. */
function fakeCatalogue(platforms: Record<string, string>): Pick<AppCatalogue, 'find'> {
  return {
    find: (name?: string) =>
      platforms[name!] === 'wecom'
        ? ({
            tickets: { agent: { corpId: 'ww1', agentId: '1000002' } },
          } as ReturnType<AppCatalogue['find']>)
        : undefined,
  };
}

async function clientsFor(
  names: string[],
  platforms: Record<string, string> = {},
): Promise<QingtuiClients> {
  const moduleRef = await Test.createTestingModule({
    providers: [
      QingtuiClients,
      { provide: HttpService, useValue: { axiosRef: axios.create() } },
      { provide: TokenService, useValue: fakeTokens(names, platforms) },
      { provide: QINGTUI_APP_CATALOGUE, useValue: fakeCatalogue(platforms) },
    ],
  }).compile();
  return moduleRef.get(QingtuiClients);
}

describe('QingtuiClients', () => {
  it('hands out the client of a named app', async () => {
    const clients = await clientsFor(['main', 'crm']);
    const crm = clients.get('crm');
    expect(crm).toBeInstanceOf(QingtuiClient);
    expect(crm.app).toBe('crm');
  });

  it('hands out the first configured app by default', async () => {
    const clients = await clientsFor(['main', 'crm']);
    expect(clients.get().app).toBe('main');
  });

  it('caches one client per app', async () => {
    const clients = await clientsFor(['main', 'crm']);
    expect(clients.get('crm')).toBe(clients.get('crm'));
    expect(clients.get()).toBe(clients.get('main'));
    expect(clients.get('crm')).not.toBe(clients.get('main'));
  });

  it('throws a QingtuiError naming the configured apps for an unknown app', async () => {
    const clients = await clientsFor(['main', 'crm']);
    expect(() => clients.get('hr')).toThrow(QingtuiError);
    expect(() => clients.get('hr')).toThrow('Unknown Qingtui app "hr". Configured apps: main, crm');
  });

  it('throws a QingtuiError when no app is configured', async () => {
    const clients = await clientsFor([]);
    expect(() => clients.get()).toThrow(QingtuiError);
  });

  it('refuses a WeChat or WeCom app: the typed client speaks the Qingtui API only', async () => {
    const clients = await clientsFor(['wx', 'main'], { wx: 'wechat-mp' });
    expect(() => clients.get('wx')).toThrow(
      /"wx" is a wechat-mp app: QingtuiClient speaks the Qingtui API only/,
    );
    // The default client is the first Qingtui app's.
    expect(clients.get().app).toBe('main');
  });

  it('gives a module without Qingtui apps a default client whose calls fail, sending nothing', async () => {
    const clients = await clientsFor(['wx', 'oa'], { wx: 'wechat-mp', oa: 'wecom' });
    expect(() => clients.get()).toThrow(/No Qingtui app is configured \(apps: wx, oa\)/);
    const fallback = clients.getDefault();
    await expect(fallback.getFollowers()).rejects.toThrow(/No Qingtui app is configured/);
  });

  it('hands out the WeComClient of a WeCom app, with its agentId, one per app', async () => {
    const clients = await clientsFor(['main', 'oa'], { oa: 'wecom' });
    const oa = clients.wecom('oa');
    expect(oa).toBeInstanceOf(WeComClient);
    expect(oa).toMatchObject({ app: 'oa', agentId: '1000002' });
    expect(clients.wecom('oa')).toBe(oa);
    expect(clients.of('oa')).toBe(oa);
  });

  it('hands out the WeChatClient of a WeChat app, one per app', async () => {
    const clients = await clientsFor(['main', 'mp'], { mp: 'wechat-mp' });
    const mp = clients.wechat('mp');
    expect(mp).toBeInstanceOf(WeChatClient);
    expect(mp.app).toBe('mp');
    expect(clients.of('mp')).toBe(mp);
    expect(clients.of('main')).toBe(clients.get('main'));
  });

  it('refuses an app of another platform with a clear QingtuiError', async () => {
    const clients = await clientsFor(['main', 'mp', 'oa'], { mp: 'wechat-mp', oa: 'wecom' });
    expect(() => clients.wecom('mp')).toThrow(
      '"mp" is a wechat-mp app: WeComClient speaks the WeCom API only',
    );
    expect(() => clients.wechat('oa')).toThrow(
      '"oa" is a wecom app: WeChatClient speaks the WeChat API only',
    );
    expect(() => clients.wechat('main')).toThrow(QingtuiError);
    expect(() => clients.wecom('main')).toThrow(/"main" is a qingtui app/);
    expect(() => clients.get('oa')).toThrow(/use QingtuiClients\.wecom\(\)/);
    expect(() => clients.wecom('ghost')).toThrow('Unknown Qingtui app "ghost"');
    expect(() => clients.of('ghost')).toThrow(QingtuiError);
  });
});
