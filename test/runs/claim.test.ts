/**
 * Point claims of `sweep --claim` (src/runs/claim.ts) with a hand-driven
 * clock: one claimer per point; a claim is taken over only after its lease
 * expired; renewal keeps it; the old owner learns it lost the claim; release
 * frees the point; the point's lock file is the only state.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import * as path from 'node:path';
import { PointClaims } from '../../src/runs/claim.js';
import { tempDir } from '../helpers.js';

describe('PointClaims', () => {
  it('one holder per point; expiry, takeover, renewal, release', () => {
    const dir = tempDir('claims');
    let t = 1_000_000_000_000; // ms
    const now = () => t;
    const a = new PointClaims(dir, { leaseSeconds: 10, now, token: 'host-a:1:aa' });
    const b = new PointClaims(dir, { leaseSeconds: 10, now, token: 'host-b:1:bb' });

    const a0 = a.tryClaim(0)!;
    expect(a0.token).toBe('host-a:1:aa');
    expect(b.tryClaim(0)).toBeUndefined();
    expect(a.tryClaim(0)).toBeUndefined(); // a holds it too: no second claim by the same owner either
    expect(b.tryClaim(1)?.index).toBe(1);
    expect(b.holder(0)).toEqual({ token: 'host-a:1:aa', expired: false });

    // renewed within the lease: still a's
    t += 9_000;
    expect(a0.renew()).toBe(true);
    t += 9_000;
    expect(b.tryClaim(0)).toBeUndefined();
    // not renewed for more than the lease: b takes it over; a finds out when it renews
    t += 1_001;
    expect(b.holder(0)?.expired).toBe(true);
    const b0 = b.tryClaim(0)!;
    expect(b0.token).toBe('host-b:1:bb');
    expect(a.holder(0)).toEqual({ token: 'host-b:1:bb', expired: false });
    expect(a0.renew()).toBe(false);
    a0.release(); // not a's any more: does nothing
    expect(a.holder(0)?.token).toBe('host-b:1:bb');
    // release frees the point for anyone
    b0.release();
    expect(a.holder(0)).toBeNull();
    expect(a.tryClaim(0)?.token).toBe('host-a:1:aa');
    // nothing but the lock files of held points
    expect(readdirSync(path.join(dir, 'points', '.claims')).sort()).toEqual(['0.lock', '1.lock']);
  });

  it('a claim renewed after it looked expired is not taken over', () => {
    const dir = tempDir('claims-race');
    let t = 2_000_000_000_000;
    const a = new PointClaims(dir, { leaseSeconds: 5, now: () => t, token: 'a' });
    const b = new PointClaims(dir, { leaseSeconds: 5, now: () => t, token: 'b' });
    a.tryClaim(3);
    t += 6_000;
    const file = a.file(3);
    expect(b.holder(3)?.expired).toBe(true);
    // a renews (its file's time set to now) before b tries: b must leave a's claim in place
    utimesSync(file, t / 1000, t / 1000);
    expect(b.tryClaim(3)).toBeUndefined();
    expect(b.holder(3)).toEqual({ token: 'a', expired: false });
    expect(existsSync(file)).toBe(true);
    expect(() => new PointClaims(dir, { leaseSeconds: 0 })).toThrow(/lease must be > 0 seconds/);
  });
});
