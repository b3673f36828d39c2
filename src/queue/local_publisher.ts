/** The local driver's publisher: messages group-committed into files of a spool directory (see `spool.ts`). */
import type { Logger } from '../log.js';
import { BasePublisher, errorText, type SendOutcome } from './base_publisher.js';
import type { EncodedMessage } from './encoding.js';
import { Spool } from './spool.js';

export interface LocalPublisherOptions {
  dir: string;
  logger: Logger;
  /** fsync before the publishing rename (default true). */
  fsync?: boolean;
  /** No limit by default; set one to exercise the gzip/truncation path. */
  maxMessageBytes?: number;
}

export class LocalPublisher extends BasePublisher {
  readonly driver = 'local';
  readonly spool: Spool;

  constructor(opts: LocalPublisherOptions) {
    super(opts.logger.child({ component: 'local_publisher' }), {
      maxMessageBytes: opts.maxMessageBytes ?? Number.POSITIVE_INFINITY,
      wire: 'binary',
    });
    this.spool = new Spool(opts.dir, { fsync: opts.fsync ?? true });
  }

  /** Resolves once the file holding the message and its rename into `ready/` are fsynced (when fsync is on). */
  protected async _send(message: EncodedMessage): Promise<SendOutcome> {
    const id = await this.spool.write(message.attributes, message.bytes);
    return { status: 'ok', messageId: id };
  }

  /** A batch joins one group commit (files of up to 64 messages, one `ready/` fsync). */
  protected override async _sendMany(messages: EncodedMessage[]): Promise<SendOutcome[]> {
    const written = await this.spool.writeMany(
      messages.map((m) => ({ attributes: m.attributes, body: m.bytes })),
    );
    return written.map(
      (w): SendOutcome =>
        w.ok ? { status: 'ok', messageId: w.id } : { status: 'retryable', error: errorText(w.error) },
    );
  }

  async close(): Promise<void> {}
}
