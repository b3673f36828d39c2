/**
 * Deepgram's STT with its last usage window reported.
 *
 * The Deepgram plugin (1.9) reports the audio it streamed about every 5 s of wall time, and only
 * when it sends more audio; when its stream closes, the audio sent since the last report is never
 * reported, so it is never priced (measured on a scripted voice call: 7.2 s reported of 9.4 s
 * received by the Deepgram server). Its own flush (`stream.flush()`, which sends Deepgram's
 * `Finalize`) reports it: this STT flushes each stream before closing it and waits, at most
 * {@link LAST_WINDOW_WAIT_MS}, for that report. A window with nothing sent yields no report, so the
 * wait then runs out; it only delays the stream's close at the end of a call.
 *
 * At the end of a call agents-js (1.9) closes the STT stream without waiting for it, and it has
 * already stopped listening to the STT's metrics by then: `SalesAgent.sttNode` waits for
 * {@link DeepgramSTT.settled} when agents-js cancels the STT node, and hands the session the
 * reports it did not see.
 */
import type { metrics } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';

/** How long a closing stream waits for its last usage report. */
export const LAST_WINDOW_WAIT_MS = 300;

export class DeepgramSTT extends deepgram.STT {
  readonly #closing = new Set<Promise<metrics.STTMetrics | undefined>>();

  override stream(options?: Parameters<deepgram.STT['stream']>[0]): deepgram.SpeechStream {
    const s = super.stream(options);
    const close = s.close.bind(s);
    let closing = false;
    s.close = () => {
      if (closing) return;
      closing = true;
      const reported = this.#reportLastWindow(s).finally(() => {
        close();
        this.#closing.delete(reported);
      });
      this.#closing.add(reported);
    };
    return s;
  }

  /**
   * Resolves once every stream closed so far has reported its last window (or stopped waiting),
   * with those last reports.
   */
  async settled(): Promise<metrics.STTMetrics[]> {
    const reports = await Promise.all([...this.#closing]);
    return reports.filter((m): m is metrics.STTMetrics => m !== undefined);
  }

  #reportLastWindow(s: deepgram.SpeechStream): Promise<metrics.STTMetrics | undefined> {
    try {
      s.flush();
    } catch {
      return Promise.resolve(undefined); // input already closed: nothing more can be sent
    }
    return new Promise((resolve) => {
      const onMetrics = (m: metrics.AgentMetrics) => {
        if (m.type === 'stt_metrics') finish(m);
      };
      const finish = (m?: metrics.STTMetrics) => {
        clearTimeout(timer);
        this.off('metrics_collected', onMetrics);
        resolve(m);
      };
      const timer = setTimeout(finish, LAST_WINDOW_WAIT_MS);
      this.on('metrics_collected', onMetrics);
    });
  }
}
