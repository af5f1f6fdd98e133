import { HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { QingtuiError } from '../errors/qingtui.error.js';
import { TokenService } from '../token/token.service.js';
import { QingtuiClient } from './qingtui.client.js';
import { QingtuiClients } from './qingtui-clients.service.js';

/** Only what QingtuiClients reads of TokenService. */
function fakeTokens(names: string[]): Pick<TokenService, 'appNames' | 'hasApp'> {
  return { appNames: () => [...names], hasApp: (name: string) => names.includes(name) };
}

async function clientsFor(names: string[]): Promise<QingtuiClients> {
  const moduleRef = await Test.createTestingModule({
    providers: [
      QingtuiClients,
      { provide: HttpService, useValue: { axiosRef: axios.create() } },
      { provide: TokenService, useValue: fakeTokens(names) },
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
});
