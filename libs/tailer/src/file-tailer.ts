import { createHash } from 'node:crypto';
import { Stats } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { expandGlobs, matchesAnyGlob } from './glob';

/** A tracked file: its identity (device + inode + a hash of its first bytes) and how far it has been shipped. */
export interface TailEntry {
  id: string;
  path: string;
  /** Byte offset of the first line not yet shipped. */
  offset: number;
  /** Lines shipped so far (the next line's number is line + 1). */
  line: number;
  headLen: number;
  headHash: string;
  /** Renamed away by rotation: read to its end, then forgotten once idle. */
  rotated: boolean;
  idleSince: number;
}

/** Complete lines of one file, from `startOffset` to `endOffset`. Commit it once its lines are safely shipped. */
export interface TailChunk {
  id: string;
  path: string;
  /** The file's first bytes (up to HEAD_BYTES), e.g. to tell a CSV header. */
  head: string;
  startOffset: number;
  endOffset: number;
  /** Number of the first line in `lines` (1-based). */
  firstLine: number;
  lines: string[];
  /** Byte offset in the file of each line of `lines`: with the file's identity, a line's identity. */
  lineOffsets: number[];
  /** The file's identity (device + inode + a hash of its first bytes), stable across renames. */
  fileKey: string;
}

export interface TailerOptions {
  globs: readonly string[];
  checkpointFile: string;
  /** Most bytes read per chunk. */
  maxChunkBytes?: number;
  /** A rotated file that has been fully read and unchanged this long is forgotten. */
  rotatedGraceMs?: number;
  clock?: () => number;
}

const HEAD_BYTES = 256;
/** Below this many head bytes a file's content is too short to recognise a copy of it. */
const MIN_FINGERPRINT = 32;

const fileId = (st: Stats) => `${st.dev}:${st.ino}`;

/**
 * Follows files matching globs through appends and rotation, with a durable checkpoint:
 * - rename-and-create: the old file is found again by inode in its directory and read to its end;
 * - copy-truncate: a shrunk (or rewritten) file starts over at 0, and a copy of it (same first bytes) is read on
 *   from the old offset, so the lines between the last read and the truncation are not lost;
 * - the checkpoint (identity + offset per file) is written only in `commit`, after the caller stored the lines, so
 *   after a crash the same lines come again; the caller makes them idempotent.
 */
export class FileTailer {
  private entries = new Map<string, TailEntry>();
  private readonly maxChunk: number;
  private readonly graceMs: number;
  private readonly clock: () => number;

  constructor(private readonly options: TailerOptions) {
    this.maxChunk = options.maxChunkBytes ?? 1024 * 1024;
    this.graceMs = options.rotatedGraceMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
  }

  async load(): Promise<void> {
    const text = await readFile(this.options.checkpointFile, 'utf8').catch(() => null);
    if (text === null) return;
    const saved = JSON.parse(text) as { entries: TailEntry[] };
    this.entries = new Map(saved.entries.map((e) => [e.id, e]));
  }

  snapshot(): TailEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  /** Rescans the files and returns the next lines to ship, or null when everything has been read. */
  async next(): Promise<TailChunk | null> {
    await this.scan();
    const ordered = [...this.entries.values()].sort((a, b) => Number(b.rotated) - Number(a.rotated));
    for (const e of ordered) {
      const chunk = await this.read(e);
      if (chunk) return chunk;
    }
    return null;
  }

  /** Marks a chunk's lines as shipped and saves the checkpoint durably. */
  async commit(chunk: TailChunk): Promise<void> {
    const e = this.entries.get(chunk.id);
    if (e && e.offset === chunk.startOffset) {
      e.offset = chunk.endOffset;
      e.line = chunk.firstLine - 1 + chunk.lines.length;
      e.idleSince = this.clock();
    }
    await this.save();
  }

  private async save(): Promise<void> {
    const file = this.options.checkpointFile;
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(JSON.stringify({ version: 1, entries: this.snapshot() }));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  }

  private async scan(): Promise<void> {
    const now = this.clock();
    for (const e of [...this.entries.values()]) {
      const st = await stat(e.path).catch(() => null);
      if (st && fileId(st) === e.id) {
        const head = await this.headOf(e.path, e.headLen);
        if (st.size < e.offset || head.hash !== e.headHash) await this.restartTruncated(e, st);
        else if (e.headLen < HEAD_BYTES && st.size > e.headLen) Object.assign(e, await this.fingerprint(e.path));
      } else {
        const moved = await this.findById(dirname(e.path), e.id);
        if (!moved) {
          this.entries.delete(e.id);
          continue;
        }
        e.path = moved.path;
        e.rotated = !matchesAnyGlob(moved.path, this.options.globs);
      }
      if (e.rotated && now - e.idleSince > this.graceMs) {
        const size = (await stat(e.path).catch(() => null))?.size ?? 0;
        if (size <= e.offset) this.entries.delete(e.id);
      }
    }
    for (const path of await expandGlobs(this.options.globs)) {
      const st = await stat(path).catch(() => null);
      if (!st?.isFile() || this.entries.has(fileId(st))) continue;
      const fp = await this.fingerprint(path);
      const original = this.copyOf(fp);
      this.entries.set(fileId(st), {
        id: fileId(st),
        path,
        offset: original ? Math.min(original.offset, st.size) : 0,
        line: original ? original.line : 0,
        ...fp,
        rotated: false,
        idleSince: now,
      });
    }
  }

  /** A tracked file that is a copy source of a new file with these first bytes (copy-truncate). */
  private copyOf(fp: { headLen: number; headHash: string }): TailEntry | undefined {
    if (fp.headLen < MIN_FINGERPRINT) return undefined;
    return [...this.entries.values()].find((e) => e.headLen === fp.headLen && e.headHash === fp.headHash);
  }

  /** The file was truncated (or rewritten): read a copy of its old content on from the old offset, restart at 0. */
  private async restartTruncated(e: TailEntry, st: Stats): Promise<void> {
    const dir = dirname(e.path);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = resolve(dir, name);
      const cst = await stat(path).catch(() => null);
      if (!cst?.isFile() || fileId(cst) === e.id || this.entries.has(fileId(cst)) || cst.size < e.offset) continue;
      if (e.headLen < MIN_FINGERPRINT || (await this.headOf(path, e.headLen)).hash !== e.headHash) continue;
      this.entries.set(fileId(cst), {
        ...e,
        id: fileId(cst),
        path,
        rotated: !matchesAnyGlob(path, this.options.globs),
        idleSince: this.clock(),
      });
      break;
    }
    Object.assign(e, { offset: 0, line: 0, ...(await this.fingerprint(e.path)), idleSince: this.clock() });
    void st;
  }

  private async findById(dir: string, id: string): Promise<{ path: string } | null> {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = resolve(dir, name);
      const st = await stat(path).catch(() => null);
      if (st?.isFile() && fileId(st) === id) return { path };
    }
    return null;
  }

  private async fingerprint(path: string): Promise<{ headLen: number; headHash: string }> {
    const { len, hash } = await this.headOf(path, HEAD_BYTES);
    return { headLen: len, headHash: hash };
  }

  private async headOf(path: string, bytes: number): Promise<{ len: number; hash: string; text: string }> {
    const fh = await open(path, 'r').catch(() => null);
    if (!fh) return { len: 0, hash: '', text: '' };
    try {
      const buf = Buffer.alloc(bytes);
      const { bytesRead } = await fh.read(buf, 0, bytes, 0);
      const head = buf.subarray(0, bytesRead);
      return { len: bytesRead, hash: createHash('sha1').update(head).digest('hex'), text: head.toString('utf8') };
    } finally {
      await fh.close();
    }
  }

  private async read(e: TailEntry): Promise<TailChunk | null> {
    const fh = await open(e.path, 'r').catch(() => null);
    if (!fh) return null;
    try {
      const size = (await fh.stat()).size;
      if (size <= e.offset) return null;
      const buf = Buffer.alloc(Math.min(this.maxChunk, size - e.offset));
      const { bytesRead } = await fh.read(buf, 0, buf.length, e.offset);
      const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (end < 0) return null; // only a partial line so far: wait for its end
      const text = buf.subarray(0, end).toString('utf8');
      const raw = text.split('\n');
      const lines = raw.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      const lineOffsets: number[] = [];
      let at = e.offset;
      for (const l of raw) {
        lineOffsets.push(at);
        at += Buffer.byteLength(l) + 1;
      }
      const head = (await this.headOf(e.path, HEAD_BYTES)).text;
      return {
        id: e.id,
        path: e.path,
        head,
        startOffset: e.offset,
        endOffset: e.offset + end + 1,
        firstLine: e.line + 1,
        lines,
        lineOffsets,
        fileKey: `${e.id}:${e.headHash}`,
      };
    } finally {
      await fh.close();
    }
  }
}
