import { execFile } from 'node:child_process';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/app.factory.js';
import { EmbeddedSandbox } from '../../src/sandbox/embedded-sandbox.js';
import { ReadmeBlocks } from '../packaging/readme-blocks.js';
import { OutputCapture } from '../support/central-server.harness.js';
import { LogCapture } from '../support/log-capture.js';

/*
 * Issue 17 "done when": a WeCom and a WeChat message go through the server to the sandbox with
 * the curl commands of the README, run as written (bash and curl) against `npm start`'s sandbox
 * mode, with the development key it prints and the port it listens on.
 */
const run = promisify(execFile);

describe('README: the message curl commands, as pasted', () => {
  let app: NestExpressApplication;
  let output: OutputCapture;
  let script: string;

  beforeAll(async () => {
    const logs = new LogCapture();
    output = new OutputCapture().install();
    app = await startServer({ PORT: '0' }, { logger: logs });
    const key = /Authorization: Bearer (\S+)'/.exec(logs.text())?.[1];
    expect(key).toBeDefined();
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const section = new ReadmeBlocks().section(
      'Messages go out through the server',
      'Against the real',
    );
    const block = /```bash\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toContain('curl');
    script = block!
      .replace(/^KEY=\S+/m, `KEY=${key}`)
      .replaceAll('localhost:3000', `localhost:${port}`);
  });
  afterAll(async () => {
    await app?.close();
    output?.uninstall();
  });

  it('delivers one WeCom and one WeChat message; run again, both are replays and nothing more is sent', async () => {
    const sandbox = app.get(EmbeddedSandbox).sandbox!;
    const first = await run('bash', ['-e', '-c', script]);
    const answers = first.stdout.split(/(?<=\})(?=\{)/).map((a) => JSON.parse(a) as object);
    expect(answers).toEqual([
      expect.objectContaining({ msg_id: expect.any(String), invalid_users: [] }),
      expect.objectContaining({ kind: 'template', msg_id: expect.any(String) }),
    ]);
    const deliveries = () => sandbox.push.deliveries().map((d) => `${d.platform}:${d.api}`);
    expect(deliveries()).toEqual(['wecom:wecom-message', 'wechat-mp:template']);
    const again = await run('bash', ['-e', '-c', script]);
    expect(again.stdout).toBe(first.stdout);
    expect(deliveries()).toHaveLength(2);
  }, 30_000);
});
