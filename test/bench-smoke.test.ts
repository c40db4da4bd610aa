// Smoke test of the benchmark suite (the a64vm side of `npm run bench -- --quick`): two small
// bench guests run on a64vm through the same code the bench uses, and must print exactly the
// result line recorded from QEMU in test/fixtures/bench-checksums.json. Speed is never asserted.
import { describe, expect, it } from 'vitest';
import { guestPath, loadRecordedChecksums, parseResultLine, QUICK_GUESTS, runA64vm } from '../src/tools/bench.ts';

const GUESTS = ['svc', 'ptrchase-mmuon'];
const recorded = loadRecordedChecksums();

describe('bench guests (smoke)', () => {
  it('the recorded QEMU output covers every guest the test and --quick use', () => {
    expect(recorded).toBeDefined();
    for (const g of new Set([...GUESTS, ...QUICK_GUESTS])) {
      expect(parseResultLine(recorded!.guests[g]?.line ?? ''), g).toBeDefined();
    }
  });

  for (const name of GUESTS) {
    it(`${name} prints QEMU's checksum line and powers off`, async () => {
      const r = await runA64vm(guestPath(name), 2_000_000_000n);
      expect(r.message).toBeUndefined();
      expect(r.ok).toBe(true);
      expect(r.output).toBe(recorded!.guests[name].line);
      expect(r.instructions).toBeGreaterThan(0n);
    });
  }
});
