import { EventEmitter } from 'node:events';
import { APIUserAbortError } from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { installRejectionPolicy, isTtsAbort } from '../../src/agent/unhandled_rejections.js';

const logger = () => ({ debug: vi.fn(), error: vi.fn() });

describe('unhandled rejection policy', () => {
  it("ignores the OpenAI SDK's abort of an interrupted TTS request and counts it", () => {
    const target = new EventEmitter();
    const log = logger();
    const rethrow = vi.fn();
    const policy = installRejectionPolicy({ target, logger: log, rethrowOthers: true, rethrow });
    // The error the openai plugin's TTS stream rejects with when a barge-in aborts its request.
    target.emit('unhandledRejection', new APIUserAbortError());
    target.emit('unhandledRejection', new APIUserAbortError());
    expect(policy.ttsAborts()).toBe(2);
    expect(rethrow).not.toHaveBeenCalled();
    expect(log.error).not.toHaveBeenCalled();
    expect(log.debug).toHaveBeenCalledTimes(2);
  });

  it('logs any other rejection at error and rethrows it where the process had no other handler', () => {
    const target = new EventEmitter();
    const log = logger();
    const rethrow = vi.fn();
    installRejectionPolicy({ target, logger: log, rethrowOthers: true, rethrow });
    const bug = new TypeError('cannot read properties of undefined');
    target.emit('unhandledRejection', bug);
    // An ordinary AbortError (e.g. our own fetch deadline) is not the TTS abort either.
    const abort = new DOMException('timed out', 'AbortError');
    target.emit('unhandledRejection', abort);
    target.emit('unhandledRejection', 'a bare string');
    expect(rethrow.mock.calls.map((c) => c[0])).toEqual([bug, abort, 'a bare string']);
    expect(log.error).toHaveBeenCalledTimes(3);
    expect(log.error.mock.calls[0]?.[0]).toEqual({ err: bug });
    expect(log.error.mock.calls[2]?.[0]).toEqual({ err: new Error('a bare string') });
  });

  it('in a job process it only makes other rejections visible (the runner keeps the job alive)', () => {
    const target = new EventEmitter();
    const log = logger();
    const rethrow = vi.fn();
    installRejectionPolicy({ target, logger: log, rethrowOthers: false, rethrow });
    target.emit('unhandledRejection', new Error('lost write'));
    expect(log.error).toHaveBeenCalledTimes(1);
    expect(rethrow).not.toHaveBeenCalled();
  });

  it('installs once per process: a second call adds no second listener', () => {
    const target = new EventEmitter();
    const first = installRejectionPolicy({ target, rethrowOthers: false });
    const second = installRejectionPolicy({ target, rethrowOthers: true });
    expect(second).toBe(first);
    expect(target.listenerCount('unhandledRejection')).toBe(1);
  });

  it('recognises the abort by its class, whatever its message', () => {
    expect(isTtsAbort(new APIUserAbortError({ message: 'custom' }))).toBe(true);
    expect(isTtsAbort(new Error('Request was aborted.'))).toBe(false);
    expect(isTtsAbort(undefined)).toBe(false);
  });
});
