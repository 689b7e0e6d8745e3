/**
 * Claims on sweep points for `stochdyn sweep --claim`: any number of
 * processes (array tasks, machines sharing a filesystem) run one sweep
 * directory together, each taking the next point nobody holds.
 *
 * A claim is the file `points/.claims/<index>.lock`, created with O_EXCL (one
 * creator wins), holding its owner's token (host, pid, a random part). Its
 * modification time is the lease: the owner renews it (sets it to now) while
 * the point runs; a claim not renewed for `leaseSeconds` is expired and may be
 * taken by another process — the owner crashed or lost its machine. Taking an
 * expired claim renames it aside first (one renamer wins), checks that what it
 * moved is indeed expired (else puts it back), deletes it and creates its own.
 *
 * Results never depend on who runs a point (streams are keyed by the point's
 * index), so the rare case of two processes running the same point — an owner
 * that stalled past its lease and then resumed — costs time, not correctness:
 * the first complete copy is committed, the other discarded.
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface ClaimOptions {
  /** A claim not renewed for this long is expired (seconds). */
  leaseSeconds: number;
  /** Clock (ms since the epoch); default Date.now. */
  now?: () => number;
  /** This process's token; default host:pid:random. */
  token?: string;
}

/** A claim this process holds on one point. */
export interface PointClaim {
  index: number;
  token: string;
  /** Extend the lease to now + leaseSeconds. False when the claim is no longer this process's (taken after expiring, or removed). */
  renew(): boolean;
  /** Give the point up (delete the claim if it is still this process's). */
  release(): void;
}

const isCode = (e: unknown, code: string) => (e as NodeJS.ErrnoException)?.code === code;

/** Claims on the points of the sweep directory `dir`. */
export class PointClaims {
  readonly dir: string;
  readonly token: string;
  readonly leaseMs: number;
  private readonly now: () => number;

  constructor(sweepDir: string, o: ClaimOptions) {
    if (!(o.leaseSeconds > 0)) throw new Error(`the lease must be > 0 seconds, found ${o.leaseSeconds}`);
    this.dir = join(sweepDir, 'points', '.claims');
    this.leaseMs = o.leaseSeconds * 1000;
    this.now = o.now ?? Date.now;
    this.token = o.token ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    mkdirSync(this.dir, { recursive: true });
  }

  file(index: number): string {
    return join(this.dir, `${index}.lock`);
  }

  private expired(mtimeMs: number): boolean {
    return this.now() - mtimeMs > this.leaseMs;
  }

  /** The owner token of point `index`'s claim and whether its lease has expired; null when nobody holds it. */
  holder(index: number): { token: string; expired: boolean } | null {
    try {
      const st = statSync(this.file(index));
      return { token: readFileSync(this.file(index), 'utf8').trim(), expired: this.expired(st.mtimeMs) };
    } catch (e) {
      if (isCode(e, 'ENOENT')) return null;
      throw e;
    }
  }

  private create(index: number): PointClaim | undefined {
    const f = this.file(index);
    let fd: number;
    try {
      mkdirSync(this.dir, { recursive: true });
      fd = openSync(f, 'wx');
    } catch (e) {
      if (isCode(e, 'EEXIST')) return undefined;
      throw e;
    }
    try {
      writeSync(fd, this.token + '\n');
    } finally {
      closeSync(fd);
    }
    const t = this.now() / 1000;
    utimesSync(f, t, t);
    return {
      index,
      token: this.token,
      renew: () => {
        if (this.holder(index)?.token !== this.token) return false;
        const s = this.now() / 1000;
        try {
          utimesSync(f, s, s);
          return true;
        } catch (e) {
          if (isCode(e, 'ENOENT')) return false;
          throw e;
        }
      },
      release: () => {
        if (this.holder(index)?.token !== this.token) return;
        try {
          unlinkSync(f);
        } catch (e) {
          if (!isCode(e, 'ENOENT')) throw e;
        }
      },
    };
  }

  /** Claim point `index`: when nobody holds it, or its holder's lease has expired. Undefined when someone else holds it. */
  tryClaim(index: number): PointClaim | undefined {
    const fresh = this.create(index);
    if (fresh) return fresh;
    const f = this.file(index);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(f).mtimeMs;
    } catch (e) {
      if (isCode(e, 'ENOENT')) return this.create(index); // released meanwhile
      throw e;
    }
    if (!this.expired(mtimeMs)) return undefined;
    // Expired: move it aside (one process wins the rename), check what was moved, then create our own.
    const aside = `${f}.${this.token.replace(/[^A-Za-z0-9]/g, '_')}.expired`;
    try {
      renameSync(f, aside);
    } catch (e) {
      if (isCode(e, 'ENOENT')) return undefined; // another process took it over first
      throw e;
    }
    if (!this.expired(statSync(aside).mtimeMs)) {
      // We moved a claim made (or renewed) just now by someone else: put it back unless a newer one is there.
      try {
        linkSync(aside, f);
      } catch (e) {
        if (!isCode(e, 'EEXIST')) throw e;
      }
      unlinkSync(aside);
      return undefined;
    }
    unlinkSync(aside);
    return this.create(index);
  }
}
