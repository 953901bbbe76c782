import { createHash } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@clicks/config';
import { clickLineToInput, detectClickLogFormat, isCsvHeader } from '@clicks/events';
import { FileTailer, TailChunk } from '@clicks/tailer';
import { BatchItem } from './batch-body';
import { ClickIntakeService } from './click-intake.service';

const MAX_RETRY_DELAY_MS = 5000;
/** The field of a rejected event whose log line could not be read at all. */
const LINE = 'line';

/** The event id of a log line without one: a hash of the file's identity, and the line's byte offset. */
export function lineEventId(fileKey: string, offset: number): string {
  return `log:${createHash('sha1').update(fileKey).digest('hex').slice(0, 16)}:${offset}`;
}

/**
 * The click-log agent's loop: tails the configured log files, sends their clicks through the one intake path and
 * checkpoints a chunk only after its clicks are in Redis. A malformed line goes to the dead-letter file with its
 * file, line number and reason. A re-sent tail after a crash derives the same event ids and is de-duplicated.
 */
@Injectable()
export class ClickLogShipper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ClickLogShipper.name);
  private readonly tailer: FileTailer;
  private readonly deadLetterFile: string;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Lines shipped and dead-lettered since start, for logs and readiness. */
  readonly stats = { shipped: 0, duplicates: 0, deadLettered: 0, lastError: '' };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly intake: ClickIntakeService,
  ) {
    const dir = config.logAgent.stateDir;
    this.tailer = new FileTailer({ globs: config.logAgent.globs, checkpointFile: join(dir, 'checkpoint.json') });
    this.deadLetterFile = join(dir, 'dead-letter.ndjson');
  }

  get isRunning(): boolean {
    return this.running;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.logAgent.globs.length === 0) {
      this.log.warn('LOG_AGENT_GLOBS is empty: nothing to tail');
      return;
    }
    await mkdir(this.config.logAgent.stateDir, { recursive: true });
    await this.tailer.load();
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const chunk = await this.tailer.next();
        if (!chunk) {
          await this.sleep(this.config.logAgent.pollMs);
          continue;
        }
        await this.ship(chunk);
        await this.tailer.commit(chunk);
        failures = 0;
      } catch (e) {
        // Nothing was checkpointed: the same lines are read and sent again (idempotently) after the pause.
        failures++;
        this.stats.lastError = e instanceof Error ? e.message : String(e);
        this.log.warn(`shipping failed (attempt ${failures}), retrying: ${this.stats.lastError}`);
        await this.sleep(Math.min(100 * 2 ** failures, MAX_RETRY_DELAY_MS));
      }
    }
  }

  private async ship(chunk: TailChunk): Promise<void> {
    const format = detectClickLogFormat(chunk.head.split('\n')[0] ?? '');
    const items: BatchItem[] = [];
    chunk.lines.forEach((text, i) => {
      const lineNo = chunk.firstLine + i;
      if (text.trim() === '' || (format === 'csv' && lineNo === 1 && isCsvHeader(text))) return;
      const line = clickLineToInput(text, format);
      if (!line.ok) {
        items.push({ index: i, error: { field: LINE, message: line.reason } });
        return;
      }
      // A line without an id of its own is identified by where it is: re-shipped after a crash, it is the same
      // click; two identical lines are two clicks.
      const input = line.input;
      if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
        input.eventId ??= lineEventId(chunk.fileKey, chunk.lineOffsets[i]);
      }
      items.push({ index: i, input });
    });
    const result = await this.intake.acceptMany(items, this.config.logAgent.partnerId);
    if (result.rejected.length > 0) {
      const at = new Date().toISOString();
      const dead = result.rejected.map(({ index, field, message }) =>
        JSON.stringify({
          file: chunk.path,
          line: chunk.firstLine + index,
          // An unreadable line's reason is its message alone; a bad field's names the field.
          reason: field === LINE ? message : `${field}: ${message}`,
          text: chunk.lines[index],
          at,
        }),
      );
      await appendFile(this.deadLetterFile, dead.join('\n') + '\n');
      this.stats.deadLettered += dead.length;
    }
    this.stats.shipped += result.accepted;
    this.stats.duplicates += result.duplicates;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
