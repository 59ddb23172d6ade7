// check_usage.mjs USAGE_JSONL EXPECT_JSON - after the gateway stopped: the usage record of each
// request id in EXPECT_JSON ([[id, {field: value}]]) has exactly those field values.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

const recs = new Map(readFileSync(process.argv[2], 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l)).map((r) => [r.request_id, r]));
let bad = 0;
for (const [id, want] of JSON.parse(readFileSync(process.argv[3], 'utf8'))) {
    const r = recs.get(id);
    try {
        assert.ok(r, `no usage record for ${id}`);
        for (const [k, v] of Object.entries(want)) assert.deepEqual(r[k], v, `${id}: ${k}`);
    } catch (e) {
        bad++;
        console.log(`FAIL usage record: ${e.message}`);
    }
}
console.log(bad ? `FAIL ${bad} usage record(s) not as expected` : 'ok   usage records have the expected token counts');
process.exit(bad ? 1 : 0);
