import { describe, expect, it } from 'vitest';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import {
  readFollowers,
  readMediaUpload,
  readMessageStatus,
  readOpenId,
  readSendResult,
} from './qingtui-answers.js';

const endpoint = '/v1/message/text/send/single';

function expectMalformed(fn: () => unknown, path: string, text: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(QingtuiApiError);
  const error = caught as QingtuiApiError;
  expect(error.kind).toBe('request');
  expect(error.errcode).toBeUndefined();
  expect(error.endpoint).toBe(path);
  expect(error.retryable).toBe(false);
  expect(error.errmsg).toMatch(text);
}

describe('readSendResult', () => {
  it('reads a data string', () => {
    expect(readSendResult({ errcode: 0, errmsg: 'ok', data: 'm1' }, endpoint)).toEqual({
      msgId: 'm1',
      msgIds: [{ msgId: 'm1' }],
    });
  });

  it('reads a top-level msg_id', () => {
    expect(readSendResult({ errcode: 0, msg_id: 'm2' }, endpoint)).toEqual({
      msgId: 'm2',
      msgIds: [{ msgId: 'm2' }],
    });
  });

  it('reads data.msg_id (process single)', () => {
    expect(readSendResult({ data: { msg_id: 'm3' } }, endpoint)).toEqual({
      msgId: 'm3',
      msgIds: [{ msgId: 'm3' }],
    });
  });

  it('reads one id per recipient from data: [{open_id, msg_id}] (process mass)', () => {
    const answer = {
      data: [
        { open_id: 'o1', msg_id: 'm1' },
        { open_id: 'o2', msg_id: 'm2' },
      ],
    };
    expect(readSendResult(answer, endpoint)).toEqual({
      msgId: 'm1',
      msgIds: [
        { openId: 'o1', msgId: 'm1' },
        { openId: 'o2', msgId: 'm2' },
      ],
    });
  });

  it('keeps the readable entries of a list and skips those without a msg_id', () => {
    const answer = { data: [{ open_id: 'o1' }, { msg_id: 'm2' }, null] };
    expect(readSendResult(answer, endpoint)).toEqual({ msgId: 'm2', msgIds: [{ msgId: 'm2' }] });
  });

  it('prefers data over a top-level msg_id when a server sends both', () => {
    expect(readSendResult({ data: 'm1', msg_id: 'm1' }, endpoint).msgIds).toEqual([
      { msgId: 'm1' },
    ]);
  });

  it('reads a numeric id as a string', () => {
    expect(readSendResult({ data: 123 }, endpoint).msgId).toBe('123');
  });

  it.each([
    ['no data', { errcode: 0, errmsg: 'ok' }],
    ['an empty data string', { data: '' }],
    ['an empty list', { data: [] }],
    ['a list without ids', { data: [{ open_id: 'o1' }] }],
    ['an object without msg_id', { data: { id: 'x' } }],
    ['a non-object answer', 'ok'],
  ])('throws a non-retryable request error for a success with %s', (_, answer) => {
    expectMalformed(() => readSendResult(answer, endpoint), endpoint, /no message id/);
  });
});

describe('other readers', () => {
  it('reads a message status, top-level or in data', () => {
    const path = '/v1/message/status/get';
    expect(readMessageStatus({ msg_id: 'm', msg_status: 'SENDING', rate: 0.5 }, 'm', path)).toEqual(
      {
        msgId: 'm',
        status: 'SENDING',
        rate: 0.5,
      },
    );
    expect(
      readMessageStatus({ data: { msg_status: 'SEND_SUCCESS', rate: '1' } }, 'm9', path),
    ).toEqual({
      msgId: 'm9',
      status: 'SEND_SUCCESS',
      rate: 1,
    });
    expectMalformed(() => readMessageStatus({ msg_status: 'DONE' }, 'm', path), path, /"DONE"/);
  });

  it('reads an upload answer and refuses one without media_id', () => {
    const path = '/v1/media/upload';
    expect(
      readMediaUpload({ type: 'image', media_id: 'md', created_at: 1700 }, 'image', path),
    ).toEqual({
      mediaId: 'md',
      type: 'image',
      createdAt: 1700,
    });
    expectMalformed(() => readMediaUpload({ type: 'image' }, 'image', path), path, /media_id/);
  });

  it('reads followers with camelCase hasMore/totalCount (snake_case tolerated)', () => {
    const path = '/v1/app/followers';
    expect(readFollowers({ followers: ['a', 'b'], hasMore: true, totalCount: 7 }, path)).toEqual({
      followers: ['a', 'b'],
      hasMore: true,
      totalCount: 7,
    });
    expect(
      readFollowers({ data: { followers: ['a'], has_more: false, total_count: 1 } }, path),
    ).toEqual({
      followers: ['a'],
      hasMore: false,
      totalCount: 1,
    });
    expectMalformed(() => readFollowers({ followers: 'a' }, path), path, /not a list/);
  });

  it('reads an open_id and refuses an answer without one', () => {
    const path = '/team/member/openid/get';
    expect(readOpenId({ open_id: 'oid' }, path)).toBe('oid');
    expect(readOpenId({ data: { open_id: 'oid2' } }, path)).toBe('oid2');
    expectMalformed(() => readOpenId({}, path), path, /open_id/);
  });
});
