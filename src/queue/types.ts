/**
 * The queue layer's glossary and contracts.
 * - message:   one session payload in flight, as JSON bytes plus string attributes.
 * - publisher: puts a payload on the queue; returns a result, never throws for a queue failure.
 * - consumer:  pulls messages and runs a handler; ack on success, nack (redeliver) on a thrown
 *              error, dead-letter after too many attempts or on `DeadLetter`.
 * - lease:     the time a claimed message stays invisible to other consumers (SQS visibility
 *              timeout, Pub/Sub ack deadline, the local spool's lease file).
 */
import type { Logger } from '../log.js';
import type { ProgressSnapshot, SessionPayload } from '../schema/index.js';

export type PublishResult =
  | { status: 'ok'; messageId: string; compressed: boolean; truncated: boolean }
  | { status: 'retryable'; error: string; retryInMs?: number }
  | { status: 'failed'; error: string };

export interface QueuePublisher {
  readonly driver: string;
  publish(payload: SessionPayload, opts?: { signal?: AbortSignal }): Promise<PublishResult>;
  /** Sends a progress snapshot (`kind=progress`) in one attempt; every built-in driver has it. */
  publishProgress?(snapshot: ProgressSnapshot, opts?: { signal?: AbortSignal }): Promise<PublishResult>;
  close(): Promise<void>;
}

/** What a handler receives: the raw body (the consumer does not validate; the worker does). */
export interface QueueMessage {
  readonly id: string;
  /** Decoded body (gunzipped when the producer compressed it). */
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** 1 on first delivery. */
  readonly attempt: number;
}

export interface HandlerContext {
  log: Logger;
  attempt: number;
  signal: AbortSignal;
}

/** Throw `DeadLetter` to send a message straight to the dead-letter place with its reason. */
export class DeadLetter extends Error {
  override readonly name = 'DeadLetter';
}

export type MessageHandler = (message: QueueMessage, ctx: HandlerContext) => Promise<void>;

export interface QueueConsumer {
  readonly driver: string;
  /** Pulls and handles messages until `stop()`; resolves when stopped and in-flight work is settled. */
  run(handler: MessageHandler, opts?: { concurrency?: number }): Promise<void>;
  /** Stop pulling; wait up to `deadlineMs` for in-flight handlers, then release what is left. */
  stop(opts?: { deadlineMs?: number }): Promise<void>;
}
