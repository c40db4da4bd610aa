// Shard 0 of the committed differential cases: a64vm against QEMU's recorded results (see
// test/helpers/difftest-shard.ts; one file per shard so that vitest runs shards in parallel).
import { goldenShardSuite } from './helpers/difftest-shard.ts';

goldenShardSuite(0);
